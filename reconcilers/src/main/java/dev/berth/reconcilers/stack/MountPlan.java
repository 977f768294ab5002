package dev.berth.reconcilers.stack;

/** A mount: type volume (source = volume name, null for anonymous), bind (source = host path) or tmpfs. */
public record MountPlan(String type, String source, String target, boolean readOnly, Long tmpfsSizeBytes) {
}
