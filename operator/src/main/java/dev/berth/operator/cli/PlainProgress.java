package dev.berth.operator.cli;

import dev.berth.operator.waiting.Verdict;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Progress for logs and pipes: one line per change, no escape codes. A row ({@code host  service  running/desired
 * reason}) is printed when it differs from what was printed for that host and service; the stack's waiting reason
 * when it changes.
 */
final class PlainProgress implements Consumer<Verdict> {
    private final PrintWriter out;
    private final String stack;
    private final Map<String, String> printed = new HashMap<>();
    private String reason = "";

    PlainProgress(PrintWriter out, String stack) {
        this.out = out;
        this.stack = stack;
    }

    @Override
    public void accept(Verdict verdict) {
        for (Verdict.Row row : verdict.rows()) {
            String line = line(row);
            if (!line.equals(printed.put(row.host() + "/" + row.service(), line))) {
                out.println(line);
            }
        }
        if (verdict.state() == Verdict.State.WAITING && !verdict.reason().equals(reason)) {
            reason = verdict.reason();
            out.println("stack/" + stack + ": " + reason);
        }
        out.flush();
    }

    static String line(Verdict.Row row) {
        return (row.host() + "  " + row.service() + "  " + row.running() + "/" + row.desired() + "  " + row.reason())
                .stripTrailing();
    }
}
