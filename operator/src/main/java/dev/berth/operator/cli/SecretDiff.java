package dev.berth.operator.cli;

import dev.berth.crds.Resource;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeyring;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code berth diff -f} for a Secret: one line, never a value. A Secret's YAML holds plain stringData or ciphertext
 * with fresh nonces, so neither the text nor a text diff says anything safe or useful; what changed is told by key
 * name, from the decrypted values (the same comparison as apply's, {@link SecretSealer#keepUnchanged}).
 */
final class SecretDiff {
    /** @param changed empty when unchanged; else what changed, for "secret/x changed: ..." */
    record Result(Optional<String> changed) {
    }

    private SecretDiff() {
    }

    static Result of(Resource stored, Resource applied, Optional<SecretKeyring> keyring) {
        SecretSpec a = stored.spec(SecretSpec.class);
        SecretSpec b = applied.spec(SecretSpec.class);
        List<String> parts = new ArrayList<>();
        if (!a.type().equals(b.type())) {
            parts.add("type");
        }
        if (!withoutCreatedAt(stored.metadata().annotations()).equals(withoutCreatedAt(applied.metadata().annotations()))
                || !stored.metadata().labels().equals(applied.metadata().labels())) {
            parts.add("labels or annotations");
        }
        if (keyring.isEmpty()) {
            // Without the key only identical ciphertext is known to be the same value.
            boolean same = !a.hasPlainValues() && !b.hasPlainValues() && a.encryptedData().equals(b.encryptedData());
            if (!same) {
                parts.add(0, "cannot compare Secret values without --secret-key-file");
            }
        } else {
            List<String> keys = changedKeys(stored.metadata().name(), a, b, keyring.get());
            if (!keys.isEmpty()) {
                parts.add(0, (keys.size() == 1 ? "key " : "keys ") + String.join(", ", keys));
            }
        }
        return new Result(parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts)));
    }

    private static Map<String, String> withoutCreatedAt(Map<String, String> annotations) {
        Map<String, String> copy = new TreeMap<>(annotations);
        copy.remove(SealedApply.CREATED_AT);
        return copy;
    }

    /** Keys added, removed, or whose values differ (or cannot be opened: a stored value this key cannot read). */
    private static List<String> changedKeys(String name, SecretSpec stored, SecretSpec applied, SecretKeyring keyring) {
        TreeSet<String> all = new TreeSet<>(stored.keys());
        all.addAll(applied.keys());
        List<String> changed = new ArrayList<>();
        for (String key : all) {
            byte[] x = value(name, key, stored, keyring);
            byte[] y = value(name, key, applied, keyring);
            if (x == null || y == null || !MessageDigest.isEqual(x, y)) {
                changed.add(key);
            }
            if (x != null) {
                Arrays.fill(x, (byte) 0);
            }
            if (y != null) {
                Arrays.fill(y, (byte) 0);
            }
        }
        return changed;
    }

    private static byte[] value(String name, String key, SecretSpec spec, SecretKeyring keyring) {
        if (spec.stringData().containsKey(key)) {
            return spec.stringData().get(key).getBytes(StandardCharsets.UTF_8);
        }
        String envelope = spec.encryptedData().get(key);
        if (envelope == null) {
            return null;
        }
        try {
            return keyring.decrypt(name, key, envelope);
        } catch (SecretKeyException e) {
            return null;
        }
    }
}
