package dev.berth.operator.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The files of one reference to a Secret or Config, as they go on the host: one file (named after its key), or a
 * directory {@code leaf} holding one file per key; every file with {@code mode}, owned by {@code uid}:{@code gid}.
 * Holds plain values: never printed (see {@link #toString}).
 *
 * @param kind "secret" or "config"
 */
public record FileSet(String kind, String name, boolean directory, String leaf, SortedMap<String, byte[]> entries,
                      int mode, int uid, int gid) {
    /** Hex digits of the digest in a path: 128 bits, so two contents never share a path by chance. */
    private static final int DIGEST_HEX = 32;

    public FileSet {
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** One file: the value of {@code key}. */
    public static FileSet file(String kind, String name, String key, byte[] value, int mode, int uid, int gid) {
        return new FileSet(kind, name, false, key, new TreeMap<>(Map.of(key, value)), mode, uid, gid);
    }

    /**
     * Where this content lives under its root: HMAC-SHA256 with the host's salt over everything that makes the files,
     * so the same content always gets the same path (nothing restarts after a re-encryption or an operator restart),
     * changed content a new path (a new spec hash, so the containers roll), and no one who reads the path (in the
     * container's labels or {@code docker inspect}) can test guesses of a value without the salt.
     */
    public String digest(byte[] salt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            field(mac, kind);
            field(mac, name);
            field(mac, directory ? "dir" : "file");
            field(mac, leaf);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                field(mac, e.getKey());
                field(mac, e.getValue());
            }
            mac.update(ByteBuffer.allocate(12).putInt(mode).putInt(uid).putInt(gid).array());
            return HexFormat.of().formatHex(mac.doFinal()).substring(0, DIGEST_HEX);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
        }
    }

    /** Length-prefixed, so no two field lists give the same bytes. */
    private static void field(Mac mac, String value) {
        field(mac, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void field(Mac mac, byte[] value) {
        mac.update(ByteBuffer.allocate(4).putInt(value.length).array());
        mac.update(value);
    }

    /** Never the values. */
    @Override
    public String toString() {
        return "FileSet[" + kind + "/" + name + " keys=" + entries.keySet() + (directory ? " dir " + leaf : "")
                + " mode=" + Integer.toOctalString(mode) + " uid=" + uid + " gid=" + gid + "]";
    }
}
