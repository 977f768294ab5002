package dev.berth.reconcilers.docker;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An image on a host: its id ({@code sha256:...}), the tags and repository digests that name it
 * ({@code registry:5000/shop/web@sha256:...}), its labels, size in bytes and creation time.
 */
public record ImageInfo(String id, List<String> repoTags, List<String> repoDigests, Map<String, String> labels,
                        long size, Instant created) {
    public ImageInfo {
        repoTags = repoTags == null ? List.of() : List.copyOf(repoTags);
        repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
