package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.crds.KindDef;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Prints objects of one kind in any {@link OutputFormat}: the kind's table (optionally without headers, optionally
 * with kind/name in the NAME column as {@code get all} shows it), {@code kind/name} lines, or documents (one object
 * itself when a NAME was asked for, else a List).
 */
final class ObjectPrinter {
    private final OutputFormat format;
    private final boolean headers;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ObjectDocuments documents = new ObjectDocuments();
    /** The widths of the table printed first; rows of -w keep them so the columns stay under the header. */
    private int[] widths = new int[0];

    ObjectPrinter(OutputFormat format, boolean headers, PrintWriter out, PrintWriter err) {
        this.format = format;
        this.headers = headers;
        this.out = out;
        this.err = err;
    }

    /** {@code one}: a NAME was given (a document is the object itself; -o wide adds the kind's details). */
    void print(KindDef kind, List<ObjectView> views, boolean one) {
        switch (format.style()) {
            case table, wide -> {
                Table table = table(kind, views, false);
                widths = table.widths();
                table.print(out, headers);
            }
            case name -> names(views);
            default -> {
                List<ObjectView> shown = PlainSecrets.withheld(views, err);
                if (one && shown.size() == 1) {
                    DocumentPrinter.print(format, documents.document(shown.get(0)), out);
                } else if (!one) {
                    DocumentPrinter.print(format, list(shown), out);
                }
            }
        }
        if (format.wide() && one) {
            Instant now = Instant.now();
            views.forEach(view -> kindTable(kind).details(view, now, out));
        }
        out.flush();
    }

    /** {@code get all}: a table section per kind that has objects (names as kind/name), or one List of them all. */
    void printAll(List<KindDef> kinds, List<List<ObjectView>> viewsByKind) {
        if (format.tabular()) {
            boolean first = true;
            for (int i = 0; i < kinds.size(); i++) {
                if (viewsByKind.get(i).isEmpty()) {
                    continue;
                }
                if (!first) {
                    out.println();
                }
                first = false;
                table(kinds.get(i), viewsByKind.get(i), true).print(out, headers);
            }
        } else if (format.style() == OutputFormat.Style.name) {
            viewsByKind.forEach(this::names);
        } else {
            DocumentPrinter.print(format, list(PlainSecrets.withheld(
                    viewsByKind.stream().flatMap(List::stream).toList(), err)), out);
        }
        out.flush();
    }

    /** One change seen by -w: its rows (no header), its kind/name, or its document on a line of its own. */
    void printChange(KindDef kind, ObjectView view) {
        switch (format.style()) {
            case table, wide -> table(kind, List.of(view), false).print(out, false, widths);
            case name -> names(List.of(view));
            default -> PlainSecrets.withheld(List.of(view), err)
                    .forEach(shown -> DocumentPrinter.printChange(format, documents.document(shown), out));
        }
        out.flush();
    }

    void header(KindDef kind) {
        if (format.tabular() && headers) {
            Table table = table(kind, List.of(), false);
            widths = table.widths();
            table.print(out, true);
        }
    }

    private JsonNode list(List<ObjectView> views) {
        return documents.list(views.stream().map(documents::document).toList());
    }

    private void names(List<ObjectView> views) {
        views.forEach(view -> out.println(view.object().key()));
    }

    private Table table(KindDef kind, List<ObjectView> views, boolean qualified) {
        KindTable kindTable = kindTable(kind);
        Table table = new Table(kindTable.header(format.wide()).toArray(String[]::new));
        Instant now = Instant.now();
        for (ObjectView view : views) {
            for (List<String> row : kindTable.rows(view, now, format.wide())) {
                String[] cells = row.toArray(String[]::new);
                if (qualified && cells.length > 0 && view.object().name().equals(cells[0])) {
                    cells[0] = view.object().key().toString();
                }
                table.row(cells);
            }
        }
        return table;
    }

    private static KindTable kindTable(KindDef kind) {
        return KindTables.standard().forKind(kind.kind())
                .orElseThrow(() -> new CliException("no table for kind " + kind.kind()));
    }
}
