package dev.berth.crds.compose;

import dev.berth.crds.Kinds;

/** @param routes make Route documents from Traefik labels (false: keep them as container labels) */
public record ComposeOptions(boolean routes) {
    /** What this Berth release can take: Routes only once the Route kind is registered. */
    public static ComposeOptions detect(Kinds kinds) {
        return new ComposeOptions(kinds.byKind("Route").isPresent());
    }
}
