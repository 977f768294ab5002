package dev.berth.crds.compose;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code .env} and {@code env_file} text as Compose does: {@code KEY=VALUE} lines, an optional
 * {@code export} in front, {@code #} comments, single quotes taken literally, double quotes with {@code \n}
 * escapes, unquoted values trimmed and cut at {@code " #"}. A bare {@code KEY} takes the value from the
 * environment (or none).
 */
final class EnvFile {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");

    private EnvFile() {
    }

    /**
     * @param environment where a bare KEY line takes its value from
     * @throws ComposeException at the env file's own line for a line that is not KEY=VALUE
     */
    static Map<String, String> parse(String name, String text, Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip();
            if (!KEY.matcher(key).matches()) {
                throw new ComposeException(new ComposeProblem(name, n + 1, 1, "",
                        "expected KEY=VALUE, got \"" + lines[n].strip() + "\""));
            }
            if (eq < 0) {
                if (environment.containsKey(key)) {
                    values.put(key, environment.get(key));
                }
                continue;
            }
            values.put(key, value(line.substring(eq + 1).strip(), name, n + 1));
        }
        return values;
    }

    private static String value(String raw, String name, int line) {
        if (raw.startsWith("'") || raw.startsWith("\"")) {
            char quote = raw.charAt(0);
            int end = raw.lastIndexOf(quote);
            if (end == 0) {
                throw new ComposeException(new ComposeProblem(name, line, 1, "", "unterminated " + quote + " quote"));
            }
            String inner = raw.substring(1, end);
            return quote == '\'' ? inner : unescape(inner);
        }
        int comment = raw.indexOf(" #");
        return (comment < 0 ? raw : raw.substring(0, comment)).strip();
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
