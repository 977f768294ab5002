package dev.berth.operator.images;

import dev.berth.crds.stack.BuildSpec;
import dev.berth.reconcilers.docker.ImageRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How a build is named: where its context lies in a repository, its content hash, its tag. Pure. */
final class BuildNames {
    static final String LOCAL_REPOSITORY = "berth-build/";

    private BuildNames() {
    }

    /** The folder of a manifest file in its repository ("" for the root). */
    static String folderOf(String manifestPath) {
        int slash = manifestPath.lastIndexOf('/');
        return slash < 0 ? "" : manifestPath.substring(0, slash);
    }

    /** {@code relative} resolved against {@code folder}, "" for the root; empty when it leaves the root. */
    static Optional<String> resolve(String folder, String relative) {
        List<String> parts = new ArrayList<>();
        String joined = folder.isEmpty() ? relative : folder + "/" + relative;
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return Optional.empty();
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(part);
        }
        return Optional.of(String.join("/", parts));
    }

    /**
     * The build's content hash: what names the context's content (a git tree id, or the SHA-256 of a host folder)
     * plus the Dockerfile's path, the arguments and the target, which change the image just as much.
     */
    static String hash(String contextId, BuildSpec build) {
        StringBuilder text = new StringBuilder("context ").append(contextId)
                .append("\ndockerfile ").append(build.dockerfile())
                .append("\ntarget ").append(build.target() == null ? "" : build.target());
        build.args().forEach((k, v) -> text.append("\narg ").append(k).append('=').append(v)); // sorted by BuildSpec
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the built image goes to a registry: {@code image} names a registry host ({@code reg.example/app},
     * {@code 10.0.0.5:5000/app}, {@code localhost:5000/app}). Docker Hub ({@code app}, {@code org/app},
     * {@code docker.io/org/app}) never counts: a build pushing to Docker Hub by itself is rarely meant and needs an
     * account; such a service is built on each host that runs it.
     */
    static boolean pushes(String image) {
        return image != null && !image.isBlank() && !ImageRef.parse(image).registry().equals(ImageRef.DOCKER_HUB);
    }

    /** {@code <repository>:berth-<hash12>} when pushed, else {@code berth-build/<stack>-<service>:<hash12>}. */
    static String tag(String image, String stack, String service, String hash) {
        String hash12 = hash.substring(0, 12);
        if (pushes(image)) {
            return ImageRef.parse(image).name() + ":berth-" + hash12;
        }
        return (LOCAL_REPOSITORY + stack + "-" + service).toLowerCase(Locale.ROOT) + ":" + hash12;
    }

    /** The Dockerfile's path inside the context, or empty when it would leave it. */
    static Optional<String> dockerfile(BuildSpec build) {
        if (build.dockerfile().startsWith("/")) {
            return Optional.empty();
        }
        return resolve("", build.dockerfile()).filter(p -> !p.isEmpty());
    }
}
