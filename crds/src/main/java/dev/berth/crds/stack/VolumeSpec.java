package dev.berth.crds.stack;

/**
 * A mount. {@code type} is {@code volume} (named Docker volume, {@code source} is its name), {@code bind}
 * ({@code source} is an absolute host path that must exist) or {@code tmpfs} (no source; {@code size} optional,
 * a quantity like {@code 64m}).
 */
public record VolumeSpec(String type, String source, String target, Boolean readOnly, String size) {
    public VolumeSpec {
        readOnly = readOnly != null && readOnly;
    }
}
