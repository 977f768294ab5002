package dev.berth.reconcilers.overlay;

import java.util.List;
import java.util.Optional;

/**
 * What one pass over a Network on this host found and did. {@code takesPart} says whether this host now
 * holds a lease and devices for it (the host record advertises that to peers).
 */
public record NetworkOutcome(boolean takesPart, String range, int peers, int fdbEntries, List<String> actions,
                             Optional<Failure> failure) {
    public NetworkOutcome {
        actions = List.copyOf(actions);
    }

    /** A CamelCase reason (InUse, LinkFailed, DockerError, ...) and a message for the status. */
    public record Failure(String reason, String message) {
    }
}
