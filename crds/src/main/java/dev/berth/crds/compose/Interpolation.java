package dev.berth.crds.compose;

import dev.berth.crds.ManifestParser;
import dev.berth.crds.yaml.ExpansionBudget;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Compose's variable interpolation in every string value: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}},
 * {@code ${VAR-default}}, {@code ${VAR:+alternative}}, {@code ${VAR+alternative}}, {@code ${VAR:?error}},
 * {@code ${VAR?error}} (defaults may nest) and {@code $$} for a literal {@code $}. Keys are not interpolated,
 * as in Compose.
 */
final class Interpolation {
    private final Function<String, String> lookup;
    private final Diagnostics diagnostics;
    private final ExpansionBudget budget;

    /** @param lookup the value of a variable, or null when it is unset */
    Interpolation(Function<String, String> lookup, Diagnostics diagnostics) {
        this(lookup, diagnostics, ExpansionBudget.forFileLimit(ManifestParser.maxBytes()));
    }

    /**
     * @param budget what the values put in may add up to: a few lines of variables that double each other (in
     *               {@code .env} or the file) would otherwise grow past any memory; shared by one import
     */
    Interpolation(Function<String, String> lookup, Diagnostics diagnostics, ExpansionBudget budget) {
        this.lookup = lookup;
        this.diagnostics = diagnostics;
        this.budget = budget;
    }

    ComposeNode apply(ComposeNode node, String path) {
        if (node instanceof ComposeNode.Mapping m) {
            var entries = new LinkedHashMap<String, ComposeNode.Entry>();
            m.entries().forEach((key, e) -> entries.put(key, new ComposeNode.Entry(key, e.line(), e.column(),
                    apply(e.value(), Paths.child(path, key)))));
            return new ComposeNode.Mapping(m.line(), m.column(), entries);
        }
        if (node instanceof ComposeNode.Sequence s) {
            List<ComposeNode> items = new ArrayList<>();
            for (int i = 0; i < s.items().size(); i++) {
                items.add(apply(s.items().get(i), Paths.item(path, i)));
            }
            return new ComposeNode.Sequence(s.line(), s.column(), items);
        }
        ComposeNode.Scalar scalar = (ComposeNode.Scalar) node;
        if (scalar.type() != ComposeNode.ScalarType.STRING || scalar.text().indexOf('$') < 0) {
            return scalar;
        }
        return new ComposeNode.Scalar(scalar.line(), scalar.column(), scalar.type(), substitute(scalar, path));
    }

    /** The text of one scalar with every variable replaced. */
    String substitute(ComposeNode.Scalar at, String path) {
        return new Expansion(at, path).run(at.text());
    }

    /** One string being expanded; problems point at the scalar that holds it. */
    private final class Expansion {
        private final ComposeNode.Scalar at;
        private final String path;

        Expansion(ComposeNode.Scalar at, String path) {
            this.at = at;
            this.path = path;
        }

        String run(String text) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c != '$' || i + 1 == text.length()) {
                    out.append(c);
                    i++;
                    continue;
                }
                char next = text.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i += 2;
                } else if (next == '{') {
                    int end = closingBrace(text, i + 2);
                    if (end < 0) {
                        throw error("invalid interpolation format: \"" + text.substring(i) + "\" has no closing }");
                    }
                    out.append(spent(braced(text.substring(i + 2, end))));
                    i = end + 1;
                } else if (isNameStart(next)) {
                    int end = i + 1;
                    while (end < text.length() && isNamePart(text.charAt(end))) {
                        end++;
                    }
                    out.append(spent(plain(text.substring(i + 1, end))));
                    i = end;
                } else {
                    // Compose keeps a $ that starts nothing ("costs $5") as it is.
                    out.append(c);
                    i++;
                }
            }
            return out.toString();
        }

        private String braced(String body) {
            int n = 0;
            while (n < body.length() && isNamePart(body.charAt(n))) {
                n++;
            }
            String name = body.substring(0, n);
            if (name.isEmpty() || !isNameStart(name.charAt(0))) {
                throw error("invalid interpolation format: \"${" + body + "}\" (a variable name starts with a letter or _)");
            }
            String rest = body.substring(n);
            if (rest.isEmpty()) {
                return plain(name);
            }
            String value = lookup.apply(name);
            boolean colon = rest.startsWith(":");
            String op = colon ? rest.substring(0, Math.min(2, rest.length())) : rest.substring(0, 1);
            String argument = rest.substring(op.length());
            // With a colon, empty counts as unset; without, only unset does.
            boolean missing = value == null || (colon && value.isEmpty());
            return switch (op) {
                case ":-", "-" -> missing ? run(argument) : value;
                case ":+", "+" -> missing ? "" : run(argument);
                case ":?", "?" -> {
                    if (missing) {
                        String reason = run(argument);
                        throw error("required variable " + name + " is missing a value" + (reason.isEmpty() ? "" : ": " + reason));
                    }
                    yield value;
                }
                default -> throw error("invalid interpolation format: \"${" + body + "}\"");
            };
        }

        /** A variable's value, counted against the budget before it is added to the text. */
        private String spent(String value) {
            if (!budget.spend(value.length())) {
                throw error("expanding variables here would make the project larger than " + budget.limit()
                        + " characters (variables that repeat each other?)");
            }
            return value;
        }

        private String plain(String name) {
            String value = lookup.apply(name);
            if (value == null) {
                diagnostics.warn(at, path, "variable " + name + " is not set; using an empty string");
                return "";
            }
            return value;
        }

        private ComposeException error(String message) {
            return new ComposeException(new ComposeProblem(diagnostics.file(), at.line(), at.column(), path, message));
        }
    }

    /** The index of the } that closes a ${ whose body starts at {@code from}; nested ${...} in defaults count. */
    private static int closingBrace(String text, int from) {
        int depth = 1;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' && i > 0 && text.charAt(i - 1) == '$') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }
}
