package dev.berth.operator.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * kubectl's equality-based label selector: comma-separated {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key} (exists) and {@code !key} (does not exist), all of which must hold. Set-based forms ({@code in},
 * {@code notin}) are refused rather than misread.
 */
record LabelSelector(List<Requirement> requirements) {
    // Kubernetes label keys: an optional DNS prefix and a name of alphanumerics, '-', '_' and '.'.
    private static final Pattern KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

    enum Op { EQUALS, NOT_EQUALS, EXISTS, NOT_EXISTS }

    record Requirement(String key, Op op, String value) {
        boolean matches(Map<String, String> labels) {
            return switch (op) {
                case EQUALS -> value.equals(labels.get(key));
                case NOT_EQUALS -> !value.equals(labels.get(key));
                case EXISTS -> labels.containsKey(key);
                case NOT_EXISTS -> !labels.containsKey(key);
            };
        }
    }

    LabelSelector {
        requirements = List.copyOf(requirements);
    }

    static LabelSelector everything() {
        return new LabelSelector(List.of());
    }

    /** Parses a selector; an IllegalArgumentException names the bad part. */
    static LabelSelector parse(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty label selector");
        }
        List<Requirement> all = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            all.add(requirement(part.strip(), text));
        }
        return new LabelSelector(all);
    }

    private static Requirement requirement(String part, String whole) {
        String bad = "bad label selector \"" + whole + "\": ";
        if (part.isEmpty()) {
            throw new IllegalArgumentException(bad + "empty requirement (use key=value,key2!=value2,key3,!key4)");
        }
        if (part.contains(" in ") || part.contains(" notin ") || part.contains("(")) {
            throw new IllegalArgumentException(bad + "set-based requirements (in, notin) are not supported");
        }
        Requirement r;
        int ne = part.indexOf("!=");
        int eq = part.indexOf('=');
        if (part.startsWith("!")) {
            r = new Requirement(part.substring(1).strip(), Op.NOT_EXISTS, null);
        } else if (ne >= 0) {
            r = new Requirement(part.substring(0, ne).strip(), Op.NOT_EQUALS, part.substring(ne + 2).strip());
        } else if (eq >= 0) {
            int after = part.startsWith("==", eq) ? eq + 2 : eq + 1;
            r = new Requirement(part.substring(0, eq).strip(), Op.EQUALS, part.substring(after).strip());
        } else {
            r = new Requirement(part, Op.EXISTS, null);
        }
        if (!KEY.matcher(r.key()).matches()) {
            throw new IllegalArgumentException(bad + "\"" + r.key() + "\" is not a valid label key");
        }
        if (r.value() != null && !VALUE.matcher(r.value()).matches()) {
            throw new IllegalArgumentException(bad + "\"" + r.value() + "\" is not a valid label value");
        }
        return r;
    }

    boolean matches(Map<String, String> labels) {
        Map<String, String> present = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(present));
    }

    /** A picocli converter: a bad selector is a usage error (exit 2) on one line. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<LabelSelector> {
        @Override
        public LabelSelector convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
