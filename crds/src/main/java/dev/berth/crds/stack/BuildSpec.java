package dev.berth.crds.stack;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a service's image is built from a Dockerfile (Compose's {@code build:}). {@code context} is an absolute path
 * on the hosts, or a path relative to the manifest's folder inside the checkout of the GitSource the stack was
 * synced from (at the commit it was synced from). {@code dockerfile} is relative to the context (default
 * {@code Dockerfile}); {@code args} are build arguments; {@code target} a stage of a multi-stage Dockerfile.
 */
public record BuildSpec(String context, String dockerfile, Map<String, String> args, String target) {
    public static final String DEFAULT_DOCKERFILE = "Dockerfile";

    public BuildSpec {
        dockerfile = dockerfile == null || dockerfile.isEmpty() ? DEFAULT_DOCKERFILE : dockerfile;
        args = args == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(args));
    }

    /** Whether the context is a folder on the hosts rather than in a GitSource's checkout. */
    public boolean onHosts() {
        return context != null && context.startsWith("/");
    }
}
