package dev.berth.crds.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A lexical check of a Traefik v3 rule: strings (backticks or double quotes) closed, parentheses balanced,
 * every function a Traefik v3 matcher, operators only {@code &&}, {@code ||} and {@code !}. It does not decide
 * whether Traefik would accept a matcher's arguments (regular expressions, CIDRs): Traefik reports those.
 */
public final class TraefikRule {
    /** Traefik v3's HTTP matchers (docs: routing/routers, "Rule"). */
    public static final Set<String> MATCHERS = Set.of("Host", "HostRegexp", "Path", "PathPrefix", "PathRegexp", "Method",
            "Header", "HeaderRegexp", "Query", "QueryRegexp", "ClientIP");

    private TraefikRule() {
    }

    /** The problems of the rule, empty when it looks like a rule Traefik parses. */
    public static List<String> problems(String rule) {
        List<String> problems = new ArrayList<>();
        int depth = 0;
        int matchers = 0;
        int i = 0;
        while (i < rule.length()) {
            char c = rule.charAt(i);
            if (c == '`' || c == '"') {
                int end = rule.indexOf(c, i + 1);
                if (end < 0) {
                    problems.add((c == '`' ? "unbalanced backticks" : "unbalanced double quotes") + ": the string opened at column "
                            + (i + 1) + " is never closed");
                    return problems;
                }
                i = end + 1;
            } else if (Character.isLetter(c)) {
                int start = i;
                while (i < rule.length() && Character.isLetterOrDigit(rule.charAt(i))) {
                    i++;
                }
                String word = rule.substring(start, i);
                int next = i;
                while (next < rule.length() && rule.charAt(next) == ' ') {
                    next++;
                }
                if (next >= rule.length() || rule.charAt(next) != '(') {
                    problems.add("\"" + word + "\" at column " + (start + 1) + " is not a matcher call (expected " + word + "(`...`))");
                } else if (!MATCHERS.contains(word)) {
                    String hint = MATCHERS.stream().filter(m -> m.equalsIgnoreCase(word)).findFirst()
                            .map(m -> " (did you mean \"" + m + "\"?)").orElse("");
                    problems.add("unknown matcher \"" + word + "\"" + hint + "; Traefik v3 knows "
                            + String.join(", ", MATCHERS.stream().sorted().toList()));
                } else {
                    matchers++;
                }
            } else if (c == '(') {
                depth++;
                i++;
            } else if (c == ')') {
                if (--depth < 0) {
                    problems.add("unbalanced parentheses: \")\" at column " + (i + 1) + " closes nothing");
                    return problems;
                }
                i++;
            } else if (rule.startsWith("&&", i) || rule.startsWith("||", i)) {
                i += 2;
            } else if (c == '!' || c == ',' || c == ' ' || c == '\t') {
                i++;
            } else {
                problems.add("unexpected character '" + c + "' at column " + (i + 1));
                return problems;
            }
        }
        if (depth > 0) {
            problems.add("unbalanced parentheses: " + depth + " \"(\" never closed");
        }
        if (problems.isEmpty() && matchers == 0) {
            problems.add("no matcher in the rule");
        }
        return problems;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
