package dev.berth.operator;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline (never a bare sleep); the failure says what was awaited and what was seen. */
public final class Await {
    private Await() {
    }

    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, what, condition, () -> "");
    }

    public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> lastSeen) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
        String seen;
        try {
            seen = lastSeen.get();
        } catch (RuntimeException e) {
            seen = e.toString();
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what
                + (seen.isEmpty() ? "" : "; last seen: " + seen) + (last == null ? "" : "; last error: " + last), last);
    }
}
