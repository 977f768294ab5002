package dev.berth.operator.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** kubectl-style ages (45s, 12m, 3h, 5d) and clock times ("12:01:03Z") for when a host was last seen. */
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

    /** The UTC time of day ("12:01:03Z") when it is today, else the date too ("2026-11-30 12:01:03Z"); "-" if unknown. */
    static String clock(String isoTime, Instant now) {
        if (isoTime == null) {
            return "-";
        }
        try {
            java.time.ZonedDateTime at = Instant.parse(isoTime).atZone(java.time.ZoneOffset.UTC).withNano(0);
            String time = at.toLocalTime().toString();
            time = time.length() == 5 ? time + ":00" : time;
            boolean today = at.toLocalDate().equals(now.atZone(java.time.ZoneOffset.UTC).toLocalDate());
            return today ? time + "Z" : at.toLocalDate() + " " + time + "Z";
        } catch (DateTimeParseException e) {
            return "-";
        }
    }
}
