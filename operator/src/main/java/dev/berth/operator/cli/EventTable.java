package dev.berth.operator.cli;

import dev.berth.operator.events.Event;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Events as {@code berth events} and {@code berth describe} print them. Rows printed one at a time (a watch) keep
 * the widths of the first rows, so the columns stay where the header put them.
 */
final class EventTable {
    static final String[] HEADER = {"LAST SEEN", "TYPE", "REASON", "OBJECT", "HOST", "COUNT", "MESSAGE"};
    private static final String[] DESCRIBE_HEADER = {"Type", "Reason", "Age", "Host", "Message"};

    private final int[] widths = new int[HEADER.length];

    EventTable(boolean headers, List<Event> first, Instant now) {
        if (headers) {
            widen(HEADER);
        }
        first.forEach(e -> widen(row(e, now)));
    }

    static String[] row(Event e, Instant now) {
        return new String[]{Ages.since(e.lastTimestamp(), now), e.type(), e.reason(), e.object(), e.host(),
                Integer.toString(e.count()), e.message()};
    }

    void header(PrintWriter out) {
        print(out, HEADER);
    }

    void print(PrintWriter out, Event event, Instant now) {
        print(out, row(event, now));
    }

    private void widen(String[] cells) {
        for (int i = 0; i < cells.length; i++) {
            widths[i] = Math.max(widths[i], cells[i] == null ? 0 : cells[i].length());
        }
    }

    private void print(PrintWriter out, String[] cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i] == null ? "" : cells[i];
            line.append(cell);
            if (i < cells.length - 1) {
                line.append(" ".repeat(Math.max(0, widths[i] - cell.length()) + 3));
            }
        }
        out.println(line.toString().stripTrailing());
        out.flush();
    }

    /** kubectl describe's section: Type, Reason, Age ("3m (x4 over 12m)" for repeats), Host, Message. */
    static void describe(List<Event> events, PrintWriter out, Instant now) {
        out.println("Events:" + (events.isEmpty() ? "     <none>" : ""));
        if (events.isEmpty()) {
            return;
        }
        Table table = new Table(DESCRIBE_HEADER);
        for (Event e : events) {
            String age = Ages.since(e.lastTimestamp(), now);
            if (e.count() > 1) {
                age += " (x" + e.count() + " over " + Ages.since(e.firstTimestamp(), now) + ")";
            }
            table.row(e.type(), e.reason(), age, e.host(), e.message());
        }
        java.io.StringWriter text = new java.io.StringWriter();
        table.print(new PrintWriter(text));
        text.toString().lines().forEach(l -> out.println("  " + l));
    }
}
