package dev.berth.operator.reliability;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The allow-list two ways: the rules of {@code socket-proxy.cfg} (each {@code set-var(txn.rule) str(NAME) if METH_X})
 * and the rows of socket-proxy.md's table ({@code | `NAME` | `METHOD /path` | ...}), each as rule name to method.
 */
final class SocketProxyRules {
    private static final Pattern CONFIG_RULE = Pattern.compile(
            "^\\s*http-request set-var\\(txn\\.rule\\) str\\((\\w+)\\)\\s+if METH_(GET|POST|PUT|DELETE|HEAD)\\b",
            Pattern.MULTILINE);
    private static final Pattern DOC_ROW = Pattern.compile(
            "^\\| `(\\w+)` \\| `(GET|POST|PUT|DELETE|HEAD) (/\\S+)` \\|", Pattern.MULTILINE);

    private SocketProxyRules() {
    }

    static Map<String, String> ofConfig(String cfg) {
        return collect(CONFIG_RULE.matcher(cfg), "socket-proxy.cfg");
    }

    static Map<String, String> ofDoc(String doc) {
        return collect(DOC_ROW.matcher(doc), "socket-proxy.md");
    }

    private static Map<String, String> collect(Matcher m, String where) {
        Map<String, String> rules = new TreeMap<>();
        while (m.find()) {
            if (rules.put(m.group(1), m.group(2)) != null) {
                throw new AssertionError("rule " + m.group(1) + " twice in " + where);
            }
        }
        return rules;
    }
}
