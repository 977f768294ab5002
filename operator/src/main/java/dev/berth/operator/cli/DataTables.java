package dev.berth.operator.cli;

import dev.berth.crds.secret.ConfigSpec;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretEnvelopes;
import dev.berth.operator.secrets.SecretKeyring;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Secrets and Configs in {@code get} and {@code describe}: names, keys, sizes, versions, the key id that sealed each
 * value; never a value. A Secret's sizes come from the envelopes' lengths, so no key is needed to list them.
 * etcd keeps no time: AGE comes from the berth.dev/created-at annotation berth create and berth apply write on
 * creation, "-" without it (a Secret a GitSource applied, say). The VERSION column says how often it was written.
 */
final class DataTables {
    private static final int KEYS_WIDTH = 40;

    private DataTables() {
    }

    static final class SecretTable implements KindTable {
        @Override
        public List<String> header(boolean wide) {
            return List.of("NAME", "TYPE", "KEYS", "SIZE", "VERSION", "AGE");
        }

        @Override
        public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
            var object = view.object();
            String version = version(view);
            return object.resource().map(r -> r.spec(SecretSpec.class))
                    .map(s -> List.of(List.of(object.name(), s.type(), keys(s.keys(), wide),
                            size(sizes(s).values().stream().mapToLong(Long::longValue).sum()), version, age(view, now))))
                    .orElseGet(() -> List.of(List.of(object.name(), "Invalid", "-", "-", version, "-")));
        }

        @Override
        public void describe(ObjectView view, PrintWriter out) {
            out.println("Version:     " + version(view));
            view.object().resource().map(r -> r.spec(SecretSpec.class)).ifPresent(s -> {
                out.println("Type:        " + s.type());
                if (s.registry() != null) {
                    out.println("Registry:    " + s.registry());
                }
                if (s.hasPlainValues()) {
                    out.println("Warning:     holds plain stringData (written around berth apply): operators refuse it;"
                            + " write it again with berth apply");
                }
                Table table = new Table("  KEY", "SIZE", "SEALED WITH KEY");
                Map<String, Long> sizes = sizes(s);
                for (String key : s.keys()) {
                    String envelope = s.encryptedData().get(key);
                    String id = envelope == null ? "(plain text)" : SecretKeyring.keyIdOf(envelope).orElse("?");
                    table.row("  " + key, sizes.containsKey(key) ? size(sizes.get(key)) : "?", id);
                }
                out.println("Data:");
                table.print(out);
            });
        }

        /** Plaintext bytes per key; a malformed envelope has no size (shown as "?"). */
        private static Map<String, Long> sizes(SecretSpec spec) {
            Map<String, Long> sizes = new TreeMap<>();
            spec.encryptedData().forEach((k, v) -> SecretEnvelopes.plaintextSize(v).ifPresent(n -> sizes.put(k, n)));
            spec.stringData().forEach((k, v) -> sizes.put(k, (long) v.getBytes(StandardCharsets.UTF_8).length));
            return sizes;
        }
    }

    static final class ConfigTable implements KindTable {
        @Override
        public List<String> header(boolean wide) {
            return List.of("NAME", "KEYS", "SIZE", "VERSION", "AGE");
        }

        @Override
        public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
            var object = view.object();
            String version = version(view);
            return object.resource().map(r -> r.spec(ConfigSpec.class))
                    .map(s -> List.of(List.of(object.name(), keys(s.data().keySet(), wide),
                            size(s.data().values().stream().mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length)
                                    .sum()), version, age(view, now))))
                    .orElseGet(() -> List.of(List.of(object.name(), "(invalid)", "-", version, "-")));
        }

        @Override
        public void describe(ObjectView view, PrintWriter out) {
            out.println("Version:     " + version(view));
            view.object().resource().map(r -> r.spec(ConfigSpec.class)).ifPresent(s -> {
                Table table = new Table("  KEY", "SIZE");
                s.data().forEach((k, v) -> table.row("  " + k, size(v.getBytes(StandardCharsets.UTF_8).length)));
                out.println("Data:");
                table.print(out);
            });
        }
    }

    static String age(ObjectView view, Instant now) {
        return Ages.since(view.object().resource()
                .map(r -> r.metadata().annotations().get(SealedApply.CREATED_AT)).orElse(null), now);
    }

    /** etcd's count of writes to the key (1 when created), or the mod revision where the count is unknown. */
    static String version(ObjectView view) {
        long version = view.object().raw().version();
        return version > 0 ? Long.toString(version) : "rev " + view.object().raw().modRevision();
    }

    private static String keys(java.util.Collection<String> keys, boolean wide) {
        String all = String.join(",", keys);
        return wide || all.length() <= KEYS_WIDTH ? all : all.substring(0, KEYS_WIDTH - 3) + "...";
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        return String.format(java.util.Locale.ROOT, "%.1fKiB", bytes / 1024.0);
    }
}
