package dev.berth.bench.corpus;

import java.util.List;

/**
 * What importing one corpus file gave.
 *
 * @param kind    the class it falls in
 * @param reasons refusals: one generalised line per error (file, line and service names taken out, so they count up);
 *                invalid output and crashes: the first message
 * @param clear   refusals: every error names file:line:col
 * @param silent  imported files: the compose paths changed without a warning (see SilentChangeAudit)
 */
record Outcome(Kind kind, List<String> reasons, boolean clear, List<String> silent) {
    enum Kind { IMPORTED, REFUSED, INVALID_OUTPUT, CRASH, HANG }

    Outcome {
        reasons = List.copyOf(reasons);
        silent = List.copyOf(silent);
    }

    static Outcome of(Kind kind, String reason) {
        return new Outcome(kind, List.of(reason), true, List.of());
    }
}
