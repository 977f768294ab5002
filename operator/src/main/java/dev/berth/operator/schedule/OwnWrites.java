package dev.berth.operator.schedule;

import dev.berth.operator.cache.Assignments;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leader's own assignment writes, until its informer shows them (or a later write): the next stack planned must
 * count the capacity this one just took, and a re-plan must guard on the revision really stored. Entries go once
 * the informer has caught up.
 */
final class OwnWrites {
    private record Written(long revision, Optional<StackAssignment> value) {
    }

    private final Assignments assignments;
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    /**
     * Writes sent and not yet answered: with commits sent together the watch may show one before its writer hears
     * back, and planning the stack again for that would find the same decision.
     */
    private final Map<String, StackAssignment> sending = new ConcurrentHashMap<>();

    OwnWrites(Assignments assignments) {
        this.assignments = assignments;
    }

    /** About to send {@code value}; {@link #answered} must follow, whatever the outcome. */
    void sending(String stack, StackAssignment value) {
        sending.put(stack, value);
    }

    void answered(String stack, StackAssignment value) {
        sending.remove(stack, value);
    }

    void wrote(String stack, long revision, StackAssignment value) {
        written.put(stack, new Written(revision, Optional.of(value)));
    }

    void deleted(String stack, long revision) {
        written.put(stack, new Written(revision, Optional.empty()));
    }

    /** Whether the informer now shows exactly this leader's last write of the stack (an event about it is an echo). */
    boolean echoed(String stack) {
        Written mine = written.get(stack);
        if (mine != null && mine.value().isPresent() && mine.revision() == assignments.revision(stack)) {
            return true;
        }
        // Each value carries the time it was decided: no other writer stores an equal one.
        StackAssignment inFlight = sending.get(stack);
        return inFlight != null && assignments.stored(stack).filter(inFlight::equals).isPresent();
    }

    Optional<StackAssignment> current(String stack) {
        Written mine = newer(stack);
        // As stored, even naming unknown hosts: the plan keeps what is on known hosts and places the rest again.
        return mine != null ? mine.value() : assignments.stored(stack);
    }

    /** The mod revision to guard on; 0 for a key that must not exist. */
    long revision(String stack) {
        Written mine = newer(stack);
        if (mine != null) {
            return mine.value().isPresent() ? mine.revision() : 0;
        }
        return assignments.revision(stack);
    }

    /** Every stack that has an assignment, the informer's or this leader's. */
    Set<String> names() {
        Set<String> names = new HashSet<>(assignments.names());
        names.addAll(written.keySet());
        return names;
    }

    private Written newer(String stack) {
        Written mine = written.get(stack);
        long seen = assignments.revision(stack);
        boolean deletionSeen = mine != null && mine.value().isEmpty() && seen == 0;
        if (mine != null && mine.revision() > seen && !deletionSeen) {
            return mine;
        }
        if (mine != null) {
            written.remove(stack, mine);
        }
        return null;
    }
}
