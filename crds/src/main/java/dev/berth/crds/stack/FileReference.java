package dev.berth.crds.stack;

/**
 * A Secret or Config mounted into a service's containers as a read-only file (Compose's long syntax).
 * {@code key} picks one key of the object's data; without it an object with one key gives that key's file and an
 * object with several keys gives a directory holding one file per key. {@code mode} is octal text ("0400");
 * {@code uid}/{@code gid} own the file (numeric, as the container sees them).
 */
public record FileReference(String source, String key, String target, String mode, Integer uid, Integer gid) {
    /** Compose's default mode for secret and config files. */
    public static final int DEFAULT_MODE = 0444;

    /** Where the file appears in the container: the target, else Compose's default for the kind. */
    public String effectiveTarget(boolean secret) {
        if (target != null && !target.isBlank()) {
            return target;
        }
        return secret ? "/run/secrets/" + source : "/" + source;
    }

    /** The file mode as permission bits; the schema guarantees octal digits. */
    public int modeBits() {
        return mode == null || mode.isBlank() ? DEFAULT_MODE : Integer.parseInt(mode, 8);
    }

    public int effectiveUid() {
        return uid == null ? 0 : uid;
    }

    public int effectiveGid() {
        return gid == null ? 0 : gid;
    }
}
