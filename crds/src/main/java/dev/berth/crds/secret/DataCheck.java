package dev.berth.crds.secret;

import dev.berth.crds.CheckContext;

import java.util.Map;

/** The key and size rules that Secrets and Configs share, applied to one map of their spec. */
final class DataCheck {
    private DataCheck() {
    }

    /** Reports every key that is no file name, at the key. */
    static void keys(Map<String, String> data, String mapPath, CheckContext context) {
        data.keySet().forEach(key -> DataRules.keyProblem(key)
                .ifPresent(problem -> context.errorAtKey(mapPath, key, problem)));
    }

    /** Reports a plain value over the limit, at the value. */
    static void plainValue(String mapPath, String key, int bytes, CheckContext context) {
        if (bytes > SecretSpec.MAX_VALUE_BYTES) {
            context.errorAtValue(mapPath, key, "value is " + bytes + " bytes; the limit is "
                    + DataRules.bytes(SecretSpec.MAX_VALUE_BYTES) + " per key");
        }
    }
}
