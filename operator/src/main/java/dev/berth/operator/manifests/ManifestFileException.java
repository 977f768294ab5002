package dev.berth.operator.manifests;

/** A manifest file or folder that cannot be read; the message names the path and what went wrong. */
public final class ManifestFileException extends RuntimeException {
    public ManifestFileException(String message) {
        super(message);
    }
}
