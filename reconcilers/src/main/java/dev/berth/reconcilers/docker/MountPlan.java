package dev.berth.reconcilers.docker;

/** A mount: type volume (source = volume name, null for anonymous), bind (source = host path) or tmpfs. */
public record MountPlan(String type, String source, String target, boolean readOnly, Long tmpfsSizeBytes) {
}
