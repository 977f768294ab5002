package dev.berth.operator.overlay;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure: what one {@code ping -n -q -c 1} printed, as answered or not and the round trip. An answer needs both exit
 * code 0 and "1 received" in the summary: ping exits 0 only when a reply came, and the summary guards against a
 * wrapper that exits 0 on its own.
 */
public final class PingOutput {
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) (?:packets )?received");
    /** "rtt min/avg/max/mdev = 0.045/0.051/0.060/0.004 ms" (iputils) or "round-trip min/avg/max = ..." (busybox). */
    private static final Pattern RTT = Pattern.compile("min/avg/max(?:/[a-z]+)? = ([0-9.]+)/([0-9.]+)/");

    /** A probe's result: answered, and the average round trip in microseconds when it was. */
    public record Answer(boolean answered, Long rttMicros) {
        public static final Answer NONE = new Answer(false, null);
    }

    private PingOutput() {
    }

    public static Answer parse(int exitCode, String output) {
        if (exitCode != 0 || output == null) {
            return Answer.NONE;
        }
        Matcher received = RECEIVED.matcher(output);
        if (!received.find() || Integer.parseInt(received.group(1)) < 1) {
            return Answer.NONE;
        }
        Matcher rtt = RTT.matcher(output);
        Long micros = rtt.find() ? Math.round(Double.parseDouble(rtt.group(2)) * 1000) : null;
        return new Answer(true, micros);
    }
}
