package dev.berth.operator.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * How {@code berth get} and {@code berth describe} show one kind. Adding a kind to the command line is one
 * class implementing this and one line in {@link KindTables#standard()}.
 */
interface KindTable {
    List<String> header(boolean wide);

    /** One or more rows for the object (e.g. one per host that reported status). */
    List<List<String>> rows(ObjectView view, Instant now, boolean wide);

    /** The kind-specific part of describe: the declaration in short and per-host status. */
    void describe(ObjectView view, PrintWriter out);

    /** What {@code get KIND NAME -o wide} prints after the row; most kinds have nothing more. */
    default void details(ObjectView view, Instant now, PrintWriter out) {
    }
}
