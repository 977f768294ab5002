package dev.berth.operator.cli;

import java.util.Locale;

/**
 * The {@code -o} of get: table, wide, yaml, json, name or {@code jsonpath=TEMPLATE} (kubectl's spellings). A record
 * rather than an enum because jsonpath carries its template.
 */
record OutputFormat(Style style, String template) {
    enum Style { table, wide, yaml, json, name, jsonpath }

    static final String HELP = "table, wide, yaml, json, name or jsonpath=TEMPLATE (e.g. jsonpath='{.items[*].metadata.name}')";

    static OutputFormat parse(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"jsonpath=", "jsonpath:"}) {
            if (lower.startsWith(prefix)) {
                String template = text.substring(prefix.length());
                if (template.isBlank()) {
                    throw new IllegalArgumentException("-o jsonpath= needs a template, e.g. jsonpath='{.items[*].metadata.name}'");
                }
                JsonPathTemplate.parse(template); // a bad template is a usage error before anything is read
                return new OutputFormat(Style.jsonpath, template);
            }
        }
        try {
            Style style = Style.valueOf(lower);
            if (style == Style.jsonpath) {
                throw new IllegalArgumentException("-o jsonpath needs a template: jsonpath=TEMPLATE");
            }
            return new OutputFormat(style, null);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("-o")) {
                throw e;
            }
            throw new IllegalArgumentException("unknown output format \"" + text + "\" (known: " + HELP + ")");
        }
    }

    boolean tabular() {
        return style == Style.table || style == Style.wide;
    }

    boolean wide() {
        return style == Style.wide;
    }

    /** A picocli converter, so a bad -o is a usage error (exit 2) with one line. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
