package dev.berth.crds;

import java.util.Optional;
import java.util.regex.Pattern;

/** The {@code format} values a schema may use, each with the message a person sees when a value breaks it. */
final class Formats {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    static final String DNS_LABEL_MESSAGE = "must be a DNS label: lowercase letters, digits and '-', "
            + "start and end with a letter or digit, at most 63 characters";

    private Formats() {
    }

    static boolean isKnown(String format) {
        return switch (format) {
            case "dns-label", "duration", "quantity", "absolute-path" -> true;
            default -> false;
        };
    }

    /** The problem with {@code value}, or empty when it has the format. */
    static Optional<String> check(String format, String value) {
        boolean ok = switch (format) {
            case "dns-label" -> value.length() <= 63 && DNS_LABEL.matcher(value).matches();
            case "duration" -> Durations.isDuration(value);
            case "quantity" -> Quantities.isQuantity(value);
            case "absolute-path" -> value.startsWith("/");
            default -> throw new IllegalStateException("unknown format " + format);
        };
        if (ok) {
            return Optional.empty();
        }
        return Optional.of(switch (format) {
            case "dns-label" -> DNS_LABEL_MESSAGE;
            case "duration" -> "must be a duration like 10s, 1m30s or 500ms (got \"" + value + "\")";
            case "quantity" -> "must be a quantity of bytes like 256m, 1g or 512Mi (got \"" + value + "\")";
            default -> "must be an absolute path, starting with / (got \"" + value + "\")";
        });
    }
}
