package dev.berth.operator.secrets;

import dev.berth.crds.secret.DataRules;
import dev.berth.crds.secret.SecretSpec;
import java.util.Optional;

/**
 * The rules for a Secret's or Config's data keys and values, checked by the CLI before anything is encrypted: a key
 * becomes a file name on the hosts, a value must fit in etcd with room for the rest of the object.
 */
public final class SecretDataKeys {
    private SecretDataKeys() {
    }

    /** Why {@code key} cannot name a value, or empty when it can. The key is a name, not a value: safe to print. */
    public static Optional<String> problem(String key) {
        return key == null ? Optional.of("a data key must not be empty")
                : DataRules.keyProblem(key).map(p -> p.startsWith("key") ? "data " + p : p);
    }

    /** Why a value of {@code size} bytes is refused, or empty; says the size, never the content. */
    public static Optional<String> sizeProblem(String key, long size) {
        return size > SecretSpec.MAX_VALUE_BYTES
                ? Optional.of("the value of \"" + key + "\" has " + size + " bytes; at most "
                        + SecretSpec.MAX_VALUE_BYTES + " (500 KiB) are allowed per key")
                : Optional.empty();
    }
}
