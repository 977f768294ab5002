package dev.berth.operator.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with left-aligned columns, like kubectl's. */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... header) {
        rows.add(header);
    }

    public Table row(String... cells) {
        rows.add(cells);
        return this;
    }

    public void print(PrintWriter out) {
        print(out, true);
    }

    /** Without the header line when {@code headers} is false (kubectl's --no-headers); widths still count it. */
    public void print(PrintWriter out, boolean headers) {
        print(out, headers, new int[0]);
    }

    /**
     * As {@link #print(PrintWriter, boolean)} with columns at least {@code atLeast} wide: rows printed later (a watch)
     * line up with the header and rows printed before them.
     */
    public void print(PrintWriter out, boolean headers, int[] atLeast) {
        int columns = rows.get(0).length;
        int[] widths = widths();
        for (int i = 0; i < Math.min(columns, atLeast.length); i++) {
            widths[i] = Math.max(widths[i], atLeast[i]);
        }
        for (String[] row : headers ? rows : rows.subList(1, rows.size())) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = row[i] == null ? "" : row[i];
                line.append(cell);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 3));
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** Each column's width: its widest cell, the header's included. */
    public int[] widths() {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i] == null ? 0 : row[i].length());
            }
        }
        return widths;
    }
}
