package dev.berth.operator.cli;

import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import java.io.PrintWriter;

/** Prints a host's conditions and last error the same way for every kind. */
final class Conditions {
    private Conditions() {
    }

    static void print(ObjectStatus s, PrintWriter out) {
        for (Condition c : s.conditions()) {
            out.println("    " + c.type() + "=" + c.status() + "  " + c.reason() + "  since " + c.lastTransitionTime()
                    + (c.message() == null || c.message().isEmpty() ? "" : "\n      " + c.message()));
        }
        if (s.lastError() != null && !s.lastError().isEmpty()) {
            out.println("    Last error: " + s.lastError());
        }
    }
}
