package dev.berth.operator.secrets;

import dev.berth.crds.secret.SecretSpec;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules for a Secret's or Config's data keys and values, checked by the CLI before anything is encrypted: a key
 * becomes a file name on the hosts, a value must fit in etcd with room for the rest of the object.
 */
public final class SecretDataKeys {
    private static final Pattern KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
    private static final int MAX_KEY_LENGTH = 253;

    private SecretDataKeys() {
    }

    /** Why {@code key} cannot name a value, or empty when it can. The key is a name, not a value: safe to print. */
    public static Optional<String> problem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("a data key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            return Optional.of("data key \"" + key.substring(0, 20) + "...\" is longer than " + MAX_KEY_LENGTH
                    + " characters");
        }
        if (!KEY.matcher(key).matches()) {
            return Optional.of("data key \"" + key + "\" may only hold letters, digits, '-', '_' and '.'"
                    + " (it becomes a file name)");
        }
        if (key.equals(".") || key.equals("..")) {
            return Optional.of("data key \"" + key + "\" is not a file name");
        }
        return Optional.empty();
    }

    /** Why a value of {@code size} bytes is refused, or empty; says the size, never the content. */
    public static Optional<String> sizeProblem(String key, long size) {
        return size > SecretSpec.MAX_VALUE_BYTES
                ? Optional.of("the value of \"" + key + "\" has " + size + " bytes; at most "
                        + SecretSpec.MAX_VALUE_BYTES + " (500 KiB) are allowed per key")
                : Optional.empty();
    }
}
