package dev.berth.operator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.stack.ApplyReport;
import dev.berth.reconcilers.stack.StackAction;
import dev.berth.reconcilers.stack.StackOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pure: which events a stack pass's outcome gives, rollouts by revision. */
class StackPassEventsTest {
    private final List<String> seen = new ArrayList<>();
    private final StackEvents events = new StackEvents((kind, name, type, reason, message) ->
            seen.add(type + " " + reason));

    private static ContainerPlan plan(String name) {
        return new ContainerPlan("s", "web", 1, name, "img:2", List.of(), List.of(), List.of(), Map.of(), List.of(),
                List.of(), List.of(), null, null, null, null, null, null, false, List.of(), List.of(), List.of(), false,
                "hash");
    }

    private static StackOutcome outcome(List<StackAction> done, Optional<ApplyReport.Failure> failure,
                                        StackAction... planned) {
        List<StackAction> all = new ArrayList<>(done);
        all.addAll(List.of(planned));
        return new StackOutcome(all, new ApplyReport(done, failure, List.of()), Map.of());
    }

    private static final StackAction CREATE = new StackAction.CreateContainer(plan("s-web-1"));
    private static final StackAction REMOVE = new StackAction.RemoveContainer("id1", "s-web-1", "spec changed");

    @Test
    void aNewRevisionIsARolloutThatEndsWhenThePassSettles() {
        events.passed("s", 10, true, true, outcome(List.of(), Optional.empty()));
        assertEquals(List.of(), seen, "a settled pass with nothing to do says nothing");

        events.passed("s", 11, true, true, outcome(List.of(REMOVE, CREATE), Optional.empty(),
                new StackAction.Wait("s-web-1", "health")));
        assertEquals(List.of("Normal RolloutStarted", "Normal Killed", "Normal Created", "Normal Started"), seen);
        seen.clear();
        events.passed("s", 11, true, true, outcome(List.of(), Optional.empty()));
        assertEquals(List.of("Normal RolloutSucceeded"), seen);
        seen.clear();

        // The same revision again: a container removed by hand and re-created is a repair, not a rollout.
        events.passed("s", 11, true, true, outcome(List.of(CREATE), Optional.empty()));
        assertEquals(List.of("Normal Created", "Normal Started"), seen);
    }

    @Test
    void aPassWaitingForTheSchedulerDoesNotSettleTheRevision() {
        events.passed("s", 10, true, false, outcome(List.of(), Optional.empty()));
        events.passed("s", 10, true, true, outcome(List.of(CREATE), Optional.empty()));
        assertEquals(List.of("Normal RolloutStarted", "Normal Created", "Normal Started", "Normal RolloutSucceeded"),
                seen);
    }

    @Test
    void aRolledBackUpdateIsRolloutFailedAndOtherFailuresAreWarningsWithTheirReason() {
        StackAction abort = new StackAction.AbortRollout("id2", "s-web-1-next", "is unhealthy");
        events.passed("s", 12, true, true, outcome(List.of(CREATE), Optional.empty(),
                new StackAction.Wait("s-web-1-next", "health")));
        seen.clear();
        events.passed("s", 12, true, true, outcome(List.of(abort),
                Optional.of(new ApplyReport.Failure(abort, "RolloutFailed", "update rolled back"))));
        assertEquals(List.of("Normal Killed", "Warning RolloutFailed"), seen);
        seen.clear();

        events.passed("s", 13, true, true, outcome(List.of(), Optional.of(new ApplyReport.Failure(CREATE,
                "ImageNotFound", "no image"))));
        assertEquals(List.of("Warning ImageNotFound"), seen);
    }
}
