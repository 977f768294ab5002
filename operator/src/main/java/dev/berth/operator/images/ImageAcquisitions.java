package dev.berth.operator.images;

/**
 * Told of every image Berth brought onto this host (pulled when it was not there, or built), so the image
 * collector may remove it once no container uses it; an image Berth did not bring is never removed.
 */
public interface ImageAcquisitions {
    void acquired(String imageId, String ref);

    ImageAcquisitions NONE = (imageId, ref) -> {
    };
}
