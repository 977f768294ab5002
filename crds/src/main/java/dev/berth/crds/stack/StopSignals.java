package dev.berth.crds.stack;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The stop signals Docker accepts on Linux (moby's signal.SignalMap): a name with or without SIG, or a number 1-64.
 * Anything else passes a pattern and fails only when the container is created, retried forever.
 */
public final class StopSignals {
    private static final Set<String> NAMES = Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL",
            "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
            "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");
    /** RTMIN+1..RTMIN+15 and RTMAX-14..RTMAX-1, as Docker names the real-time signals. */
    private static final Pattern REALTIME = Pattern.compile("RTMIN\\+([1-9]|1[0-5])|RTMAX-([1-9]|1[0-4])");
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]?");

    private StopSignals() {
    }

    public static boolean isKnown(String signal) {
        if (NUMBER.matcher(signal).matches()) {
            return Integer.parseInt(signal) <= 64;
        }
        String name = signal.startsWith("SIG") ? signal.substring(3) : signal;
        return NAMES.contains(name) || REALTIME.matcher(name).matches();
    }
}
