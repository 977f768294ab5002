package dev.berth.reconcilers.docker;

import java.util.Comparator;

/** A mount: type volume (source = volume name, null for anonymous), bind (source = host path) or tmpfs. */
public record MountPlan(String type, String source, String target, boolean readOnly, Long tmpfsSizeBytes)
        implements Canonical.Form {
    /** Mounts are keyed by target: the plan lists them in this order, and the hash does not depend on the spec's. */
    public static final Comparator<MountPlan> BY_TARGET =
            Comparator.comparing(MountPlan::target, Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public void writeCanonical(Canonical out) {
        out.record("MountPlan")
                .field("type", type)
                .field("source", source)
                .field("target", target)
                .field("readOnly", readOnly)
                .field("tmpfsSizeBytes", tmpfsSizeBytes);
    }
}
