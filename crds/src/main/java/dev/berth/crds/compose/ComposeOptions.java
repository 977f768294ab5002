package dev.berth.crds.compose;

import dev.berth.crds.Kinds;

/**
 * @param routes             make Route documents from Traefik labels (false: keep them as container labels)
 * @param keepContainerNames a service's container_name becomes its containerName (false: an alias of the service)
 */
public record ComposeOptions(boolean routes, boolean keepContainerNames) {
    public ComposeOptions(boolean routes) {
        this(routes, false);
    }

    /** What this Berth release can take: Routes only once the Route kind is registered. */
    public static ComposeOptions detect(Kinds kinds) {
        return new ComposeOptions(kinds.byKind("Route").isPresent());
    }

    /** The same options with {@code --keep-container-names} as given. */
    public ComposeOptions keepingContainerNames(boolean keep) {
        return new ComposeOptions(routes, keep);
    }
}
