package dev.berth.reconcilers.schedule;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** CPUs and memory as a person reads them in an Unschedulable message: "2 CPUs", "0.5", "1.5 GiB". */
final class Amounts {
    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Amounts() {
    }

    static String cpus(long millis) {
        return BigDecimal.valueOf(millis).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    static String bytes(long bytes) {
        int unit = 0;
        BigDecimal value = BigDecimal.valueOf(bytes);
        BigDecimal step = BigDecimal.valueOf(1024);
        while (unit < UNITS.length - 1 && value.compareTo(step) >= 0) {
            value = value.divide(step);
            unit++;
        }
        // Rounded down so that "free" never reads as more than there is.
        String number = value.setScale(2, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
        return number + " " + UNITS[unit];
    }
}
