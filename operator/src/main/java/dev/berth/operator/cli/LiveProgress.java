package dev.berth.operator.cli;

import dev.berth.operator.waiting.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Progress on a terminal: a table per host and service (HOST SERVICE READY REASON) and a line saying what the stack
 * waits for and for how long, redrawn in place (the cursor goes back over what was drawn last, which is cleared).
 * Reasons are cut so a line does not wrap on a usual terminal, which would break the count of lines to go back over.
 */
final class LiveProgress implements Consumer<Verdict> {
    private static final int REASON_WIDTH = 70;
    private static final String ESC = "\u001b[";

    private final PrintWriter out;
    private final String stack;
    private final long started = System.nanoTime();
    private int drawn;

    LiveProgress(PrintWriter out, String stack) {
        this.out = out;
        this.stack = stack;
    }

    @Override
    public void accept(Verdict verdict) {
        StringWriter text = new StringWriter();
        PrintWriter page = new PrintWriter(text);
        if (!verdict.rows().isEmpty()) {
            Table table = new Table("HOST", "SERVICE", "READY", "REASON");
            for (Verdict.Row row : verdict.rows()) {
                table.row(row.host(), row.service(), row.running() + "/" + row.desired(), cut(row.reason()));
            }
            table.print(page);
        }
        if (verdict.state() == Verdict.State.WAITING) {
            page.println("waiting for stack/" + stack + " (" + WaitOptions.format(elapsed()) + "): " + cut(verdict.reason()));
        }
        page.flush();
        List<String> lines = text.toString().lines().toList();
        if (drawn > 0) {
            out.print(ESC + drawn + "F" + ESC + "J");
        }
        lines.forEach(out::println);
        drawn = lines.size();
        out.flush();
    }

    private Duration elapsed() {
        return Duration.ofSeconds(Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    private static String cut(String reason) {
        return reason.length() <= REASON_WIDTH ? reason : reason.substring(0, REASON_WIDTH - 1) + "…";
    }
}
