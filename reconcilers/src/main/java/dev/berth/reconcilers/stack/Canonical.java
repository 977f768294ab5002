package dev.berth.reconcilers.stack;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An order-stable text form of plan fields, and its hash. Strings are length-prefixed so that no choice of
 * values can make two different plans serialise alike (e.g. {@code ["a b"]} vs {@code ["a", "b"]}); maps are
 * written in key order so the hash does not depend on a map's iteration order or on the JVM.
 */
final class Canonical {
    private final StringBuilder out = new StringBuilder();

    Canonical field(String name, Object value) {
        out.append(name).append('=');
        write(value);
        out.append('\n');
        return this;
    }

    private void write(Object value) {
        if (value == null) {
            out.append('~');
        } else if (value instanceof String s) {
            out.append('s').append(s.length()).append(':').append(s);
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append('v').append(value);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (Object item : list) {
                write(item);
                out.append(',');
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            for (Map.Entry<String, Object> e : sorted(map).entrySet()) {
                write(e.getKey());
                out.append('=');
                write(e.getValue());
                out.append(',');
            }
            out.append('}');
        } else if (value instanceof Record r) {
            // Records are written through their component accessors, in declaration order.
            out.append(r.getClass().getSimpleName()).append('(');
            for (var c : r.getClass().getRecordComponents()) {
                try {
                    out.append(c.getName()).append(':');
                    write(c.getAccessor().invoke(r));
                    out.append(';');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + c.getName(), e);
                }
            }
            out.append(')');
        } else {
            throw new IllegalArgumentException("no canonical form for " + value.getClass());
        }
    }

    private static Map<String, Object> sorted(Map<?, ?> map) {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
        return sorted;
    }

    String text() {
        return out.toString();
    }

    /** First 16 hex characters of SHA-256: short enough for a label, long enough to never collide by chance. */
    String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
