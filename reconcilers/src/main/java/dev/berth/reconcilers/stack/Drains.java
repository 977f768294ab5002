package dev.berth.reconcilers.stack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where start-first updates are: when each old container's drain began (the first pass that found its replacement
 * healthy). Passes read it instead of sleeping, so a worker is never held by a drain. Kept in memory only: after a
 * restart a drain starts again, which makes it longer, never shorter.
 */
final class Drains {
    private final Clock clock;
    /** Stack name -> container id -> when its drain began. */
    private final Map<String, Map<String, Instant>> began = new ConcurrentHashMap<>();

    Drains(Clock clock) {
        this.clock = clock;
    }

    /** How long the old container still drains; starts its drain now if it had not begun. ZERO when done. */
    Duration left(String stack, StackAction.RetireContainer retire) {
        Instant now = clock.instant();
        Instant start = began.computeIfAbsent(stack, k -> new ConcurrentHashMap<>()).computeIfAbsent(retire.id(), k -> now);
        Duration left = Duration.ofMillis(retire.drainMillis()).minus(Duration.between(start, now));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Forgets drains the stack's plan no longer asks for (retired, rolled back, or the stack is gone). */
    void keepOnly(String stack, Set<String> retiring) {
        Map<String, Instant> drains = began.get(stack);
        if (drains != null) {
            drains.keySet().retainAll(retiring);
            if (drains.isEmpty()) {
                began.remove(stack, drains);
            }
        }
    }
}
