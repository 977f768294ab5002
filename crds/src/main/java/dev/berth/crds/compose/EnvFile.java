package dev.berth.crds.compose;

import dev.berth.crds.ManifestParser;
import dev.berth.crds.yaml.ExpansionBudget;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads {@code .env} and {@code env_file} text by compose-go's dotenv rules, so a project gets the values
 * {@code docker compose config} shows:
 * <ul>
 *   <li>{@code KEY=VALUE}, {@code KEY: VALUE}, an optional {@code export } in front, spaces around the key;
 *       a leading byte order mark and CRLF line ends are fine;</li>
 *   <li>a bare {@code KEY} takes its value from the lookup, or is left unset;</li>
 *   <li>unquoted values end at the line end or at {@code " #"} and are trimmed;</li>
 *   <li>quoted values may span lines; in single quotes nothing is expanded (only {@code \'} is an escape);
 *       in double quotes {@code \n \r \t \\ \" \$ \a \b \f \v \0NNN} are escapes;</li>
 *   <li>unquoted and double-quoted values expand {@code ${VAR}}, {@code ${VAR:-default}} and the other forms of
 *       compose-file interpolation, looking a variable up first in the lookup (the process, for {@code .env})
 *       and then among the values read before it.</li>
 * </ul>
 * After a closing quote the next statement starts, as in compose-go ({@code A="x" # note} is fine).
 */
final class EnvFile {
    private final String name;
    private final Function<String, String> lookup;
    private final Diagnostics diagnostics;
    private final ExpansionBudget budget;

    /**
     * @param name   the file as messages name it
     * @param lookup a variable's value outside the file, or null when unset; wins over the file's own values
     */
    EnvFile(String name, Function<String, String> lookup) {
        this(name, lookup, ExpansionBudget.forFileLimit(ManifestParser.maxBytes()));
    }

    /** @param budget what expanding values may produce, shared by the import (a few doubling lines grow without end) */
    EnvFile(String name, Function<String, String> lookup, ExpansionBudget budget) {
        this.name = name;
        this.lookup = lookup;
        this.diagnostics = new Diagnostics(name);
        this.budget = budget;
    }

    /** Variables that were not set when a value used them (Compose warns and uses an empty string). */
    List<ComposeProblem> warnings() {
        return diagnostics.warnings();
    }

    /**
     * Reads {@code text} into {@code values}, which may already hold values (an earlier env file's) that
     * expansion can use.
     *
     * @throws ComposeException at the file's line and column for text compose-go refuses
     */
    Map<String, String> read(String text, Map<String, String> values) {
        new Reader(text.startsWith("\uFEFF") ? text.substring(1) : text, values).run();
        return values;
    }

    Map<String, String> read(String text) {
        return read(text, new LinkedHashMap<>());
    }

    /** One pass over one text; positions are kept to point errors at a line and column. */
    private final class Reader {
        private final String text;
        private final Map<String, String> values;
        private final List<Integer> lineStarts = new ArrayList<>();
        private int pos;

        Reader(String text, Map<String, String> values) {
            this.text = text;
            this.values = values;
            lineStarts.add(0);
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    lineStarts.add(i + 1);
                }
            }
        }

        void run() {
            while (true) {
                while (pos < text.length() && isAnySpace(text.charAt(pos))) {
                    pos++;
                }
                if (pos == text.length()) {
                    return;
                }
                if (text.charAt(pos) == '#') {
                    int end = text.indexOf('\n', pos);
                    pos = end < 0 ? text.length() : end;
                    continue;
                }
                statement();
            }
        }

        private void statement() {
            int start = pos;
            if (text.startsWith("export", pos) && pos + 6 < text.length() && isSpace(text.charAt(pos + 6))) {
                pos += 6;
                skipSpaces();
            }
            int keyStart = pos;
            int end = pos;
            // The key ends at =, : (the YAML-like form compose-go also reads) or the line end (a bare KEY).
            while (end < text.length() && "=:\n".indexOf(text.charAt(end)) < 0) {
                char c = text.charAt(end);
                if (!isSpace(c) && !isKeyChar(c)) {
                    // Never the line itself: what follows may be a secret value.
                    throw error(end, "unexpected character \"" + c + "\" in a variable name");
                }
                end++;
            }
            String key = text.substring(keyStart, end).stripTrailing();
            if (key.chars().anyMatch(c -> isSpace((char) c))) {
                throw error(keyStart, "a variable name cannot contain a space (expected KEY=VALUE)");
            }
            if (key.isEmpty()) {
                throw error(keyStart, "expected KEY=VALUE, the variable name is missing");
            }
            boolean bare = end == text.length() || text.charAt(end) == '\n';
            pos = Math.min(end + 1, text.length());
            if (bare) {
                String inherited = lookup.apply(key);
                if (inherited != null) {
                    values.put(key, inherited);
                }
                return;
            }
            skipSpaces();
            values.put(key, value(key));
        }

        private String value(String key) {
            int start = pos;
            char quote = pos < text.length() ? text.charAt(pos) : 0;
            if (quote != '"' && quote != '\'') {
                int end = text.indexOf('\n', pos);
                end = end < 0 ? text.length() : end;
                String raw = text.substring(pos, end);
                int comment = raw.indexOf(" #");
                pos = end;
                return expand(stripTrailing(comment < 0 ? raw : raw.substring(0, comment)), key, start);
            }
            StringBuilder inner = new StringBuilder();
            for (int i = pos + 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length()) {
                    // An escaped quote loses its backslash; any other escape is kept for the escapes below.
                    char next = text.charAt(++i);
                    if (next != quote) {
                        inner.append('\\');
                    }
                    inner.append(next);
                } else if (c == quote) {
                    pos = i + 1;
                    return quote == '\'' ? inner.toString() : expand(escapes(inner.toString()), key, start);
                } else {
                    inner.append(c);
                }
            }
            throw error(start, "unterminated quoted value of " + key + " (the value is not shown)");
        }

        private String expand(String value, String key, int at) {
            if (value.indexOf('$') < 0) {
                return value;
            }
            var interpolation = new Interpolation(
                    variable -> {
                        String outside = lookup.apply(variable);
                        return outside != null ? outside : values.get(variable);
                    }, diagnostics, budget);
            var scalar = new ComposeNode.Scalar(lineOf(at), columnOf(at), ComposeNode.ScalarType.STRING, value);
            return interpolation.substitute(scalar, key);
        }

        private void skipSpaces() {
            while (pos < text.length() && isSpace(text.charAt(pos))) {
                pos++;
            }
        }

        private int lineOf(int at) {
            int line = 0;
            while (line + 1 < lineStarts.size() && lineStarts.get(line + 1) <= at) {
                line++;
            }
            return line + 1;
        }

        private int columnOf(int at) {
            return at - lineStarts.get(lineOf(at) - 1) + 1;
        }

        private ComposeException error(int at, String message) {
            return new ComposeException(new ComposeProblem(name, lineOf(at), columnOf(at), "", message));
        }
    }

    /**
     * compose-go's escapes in double quotes: the C escapes, {@code \$} for a literal {@code $} and {@code \0}
     * with three octal digits; anything else (such as {@code \c} or {@code \x41}) stays as written.
     */
    static String escapes(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = s.charAt(i + 1);
            String replaced = switch (next) {
                case 'a' -> "\u0007";
                case 'b' -> "\b";
                case 'f' -> "\f";
                case 'n' -> "\n";
                case 'r' -> "\r";
                case 't' -> "\t";
                case 'v' -> "\u000B";
                case '"' -> "\"";
                case '\\' -> "\\";
                case '$' -> "$$"; // the expansion below turns $$ into $
                default -> null;
            };
            if (replaced != null) {
                out.append(replaced);
                i += 2;
                continue;
            }
            if (next != '0') {
                out.append(c);
                i++;
                continue;
            }
            int end = i + 2;
            while (end < s.length() && end < i + 5 && Character.isDigit(s.charAt(end)) && s.charAt(end) < 128) {
                end++;
            }
            String digits = s.substring(i + 2, end);
            if (digits.length() == 3 && digits.chars().allMatch(d -> d <= '7') && Integer.parseInt(digits, 8) <= 255) {
                out.append((char) Integer.parseInt(digits, 8));
            } else {
                out.append(s, i, end);
            }
            i = end;
        }
        return out.toString();
    }

    /** Go's isSpace in compose-go: blanks but not the line break. */
    private static boolean isSpace(char c) {
        return c == '\t' || c == '\u000B' || c == '\f' || c == '\r' || c == ' ' || c == '\u0085' || c == '\u00A0';
    }

    /** Go's unicode.IsSpace: blanks including the line break. */
    private static boolean isAnySpace(char c) {
        return c == '\n' || isSpace(c) || Character.isSpaceChar(c);
    }

    private static boolean isKeyChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && isAnySpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
