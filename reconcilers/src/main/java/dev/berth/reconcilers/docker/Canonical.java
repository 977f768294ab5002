package dev.berth.reconcilers.docker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An order-stable text form of a plan, and its hash. Strings are length-prefixed so that no choice of values can
 * make two different plans serialise alike (e.g. {@code ["a b"]} vs {@code ["a", "b"]}); maps are written in key
 * order so the hash does not depend on a map's iteration order or on the JVM.
 *
 * <p>Each plan record says what it is made of in its {@link Form#writeCanonical}: every component is either
 * written or excluded with a reason, and a test holds each record to that, so a component added to a plan takes
 * part in the hash unless someone decides otherwise. The text is exactly what earlier releases hashed (the top
 * level as {@code name=value} lines, nested records as {@code Type(name:value;...)}): a different text would change
 * the hash of every unchanged container and replace all of them on upgrade.
 */
public final class Canonical {
    /** A plan value that lists its own components: the one place that says how it takes part in a spec hash. */
    public interface Form {
        /** Names the record with {@link #record}, then writes or {@link #exclude}s each of its components, in order. */
        void writeCanonical(Canonical out);
    }

    private final StringBuilder out;
    private final boolean nested;
    private final Set<String> written = new LinkedHashSet<>();
    private final Set<String> excluded = new LinkedHashSet<>();
    private String type;

    private Canonical(StringBuilder out, boolean nested) {
        this.out = out;
        this.nested = nested;
    }

    /** The canonical form of a top-level plan. */
    public static Canonical of(Form form) {
        Canonical c = new Canonical(new StringBuilder(), false);
        form.writeCanonical(c);
        c.requireNamed();
        return c;
    }

    /**
     * Names the record being written. The name is part of a nested record's text, so it is a literal, not the class
     * name: renaming a class must not replace containers. (Top-level plans were never wrapped, so theirs is not written.)
     */
    public Canonical record(String name) {
        if (type != null) {
            throw new IllegalStateException(type + " is named twice (" + name + ")");
        }
        type = name;
        if (nested) {
            out.append(name).append('(');
        }
        return this;
    }

    public Canonical field(String component, Object value) {
        return field(component, component, value);
    }

    /** A component written under another name: the one earlier releases hashed it under. */
    public Canonical field(String component, String writtenAs, Object value) {
        claim(component, written);
        out.append(writtenAs).append(nested ? ':' : '=');
        write(value);
        out.append(nested ? ';' : '\n');
        return this;
    }

    /**
     * A component written only when set (not null, not an empty list or map). For components added after a release:
     * written always, an unset one would still change the text, and so the hash of every container that does not
     * use it, and an upgrade would replace them all.
     */
    public Canonical fieldIfSet(String component, Object value) {
        boolean unset = value == null
                || value instanceof Collection<?> c && c.isEmpty()
                || value instanceof Map<?, ?> m && m.isEmpty();
        if (unset) {
            claim(component, written);
            return this;
        }
        return field(component, value);
    }

    /** A list whose order means nothing: written sorted, so reordering it is not a change. */
    <T> Canonical unordered(String component, List<T> values, Comparator<? super T> order) {
        List<T> sorted = new ArrayList<>(values);
        sorted.sort(order);
        return field(component, sorted);
    }

    /** Strings that form a set: written sorted and once each, so reordering or repeating one is not a change. */
    public Canonical set(String component, Collection<String> values) {
        return field(component, List.copyOf(new TreeSet<>(values)));
    }

    /** A component that takes no part in the hash (the hash itself, or one already carried by another component). */
    public Canonical exclude(String component, String why) {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException(type + "." + component + ": an exclusion needs a reason");
        }
        claim(component, excluded);
        return this;
    }

    /** The components written so far (a test compares them, with {@link #excluded}, to the record's). */
    public Set<String> written() {
        return Set.copyOf(written);
    }

    /** The components excluded so far. */
    public Set<String> excluded() {
        return Set.copyOf(excluded);
    }

    private void claim(String component, Set<String> into) {
        requireNamed();
        if (written.contains(component) || excluded.contains(component)) {
            throw new IllegalStateException(type + "." + component + " is listed twice");
        }
        into.add(component);
    }

    private void requireNamed() {
        if (type == null) {
            throw new IllegalStateException("a canonical form must name its record first");
        }
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
        } else if (value instanceof Form form) {
            Canonical inner = new Canonical(out, true);
            form.writeCanonical(inner);
            inner.requireNamed();
            out.append(')');
        } else {
            // A record that does not list its own components would be hashed by luck; make it a Form.
            throw new IllegalArgumentException("no canonical form for " + value.getClass());
        }
    }

    private static Map<String, Object> sorted(Map<?, ?> map) {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
        return sorted;
    }

    /** The map without one key: how a plan leaves its own hash label out of its hash. */
    public static Map<String, String> without(Map<String, String> map, String key) {
        Map<String, String> copy = new TreeMap<>(map);
        copy.remove(key);
        return copy;
    }

    public String text() {
        return out.toString();
    }

    /** First 16 hex characters of SHA-256: short enough for a label, long enough to never collide by chance. */
    public String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
