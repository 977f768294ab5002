package dev.berth.crds;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte quantities as Docker reads them ({@code --memory 256m}): k, m, g, t and p are binary multiples (1k = 1024),
 * an {@code i} ({@code 512Mi}, as in Kubernetes) and a trailing {@code b} are allowed and change nothing.
 */
public final class Quantities {
    private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d+)?) ?(?:([kmgtp])(i)?)?(b)?",
            Pattern.CASE_INSENSITIVE);

    private Quantities() {
    }

    /** @throws IllegalArgumentException when {@code text} is not a quantity or does not fit in a long */
    public static long parseBytes(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a quantity is required, like 256m, 1g or 512Mi");
        }
        Matcher m = QUANTITY.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a quantity like 256m, 1g or 512Mi");
        }
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        int power = "kmgtp".indexOf(unit.isEmpty() ? "-" : unit) + 1;
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        try {
            // Docker truncates fractions of a byte ("1.5k" is 1536, "0.1k" is 102).
            return bytes.toBigInteger().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too large", e);
        }
    }

    public static boolean isQuantity(String text) {
        try {
            parseBytes(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
