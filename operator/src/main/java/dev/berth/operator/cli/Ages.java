package dev.berth.operator.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** kubectl-style ages: 45s, 12m, 3h, 5d. */
final class Ages {
    private Ages() {
    }

    static String since(String isoTime, Instant now) {
        if (isoTime == null) {
            return "-";
        }
        try {
            Duration age = Duration.between(Instant.parse(isoTime), now);
            long s = Math.max(0, age.getSeconds());
            if (s < 120) {
                return s + "s";
            }
            if (s < 2 * 3600) {
                return s / 60 + "m";
            }
            if (s < 2 * 86400) {
                return s / 3600 + "h";
            }
            return s / 86400 + "d";
        } catch (DateTimeParseException e) {
            return "-";
        }
    }
}
