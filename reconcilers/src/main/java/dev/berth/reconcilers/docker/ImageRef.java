package dev.berth.reconcilers.docker;

import java.util.Optional;

/**
 * An image reference taken apart the way Docker does: {@code [registry/]repository[:tag][@digest]}. The first
 * path component is a registry when it has a '.' or ':' or is {@code localhost}; otherwise the registry is
 * {@code docker.io} (and a one-component repository lives under {@code library/}).
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";

    public static ImageRef parse(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("an image reference is required");
        }
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    /** The repository as Docker names it in RepoDigests and RepoTags ({@code nginx}, {@code reg:5000/shop/web}). */
    public String name() {
        if (registry.equals(DOCKER_HUB)) {
            return repository.startsWith("library/") ? repository.substring("library/".length()) : repository;
        }
        return registry + "/" + repository;
    }

    /** The tag, {@code latest} when none is written and no digest either. */
    public Optional<String> effectiveTag() {
        return Optional.ofNullable(tag).or(() -> digest == null ? Optional.of("latest") : Optional.empty());
    }

    /** {@code name@digest}: what a pinned replica runs. */
    public String withDigest(String sha256) {
        return name() + "@" + sha256;
    }

    public boolean pinned() {
        return digest != null;
    }
}
