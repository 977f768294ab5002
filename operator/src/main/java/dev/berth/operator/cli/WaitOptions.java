package dev.berth.operator.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How long to wait for stacks and how to show the progress: shared by wait, rollout status and apply --wait. */
final class WaitOptions {
    enum Progress { AUTO, LIVE, PLAIN }

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationArgument.class,
            description = "Give up after this long (e.g. 90s, 5m, 1h; default ${DEFAULT-VALUE}): exit 1 naming what is"
                    + " still missing.")
    Duration timeout;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "live: redraw a table per host and service on a terminal; plain: one line per change, no"
                    + " escape codes; auto (default): live when run on a terminal.")
    Progress progress;

    boolean live() {
        return progress == Progress.LIVE || progress == Progress.AUTO && System.console() != null;
    }

    /** "5m", "1m30s", "250ms": a duration as people write it. */
    static String format(Duration d) {
        if (d.toMillis() < 1000 && !d.isZero()) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        StringBuilder text = new StringBuilder();
        if (s >= 3600) {
            text.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            text.append(s % 3600 / 60).append('m');
        }
        if (s % 60 != 0 || text.length() == 0) {
            text.append(s % 60).append('s');
        }
        return text.toString();
    }
}
