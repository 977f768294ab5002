package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scheduler on one host: replicas assigned to the only host run there as before, an assignment written by hand
 * that names a host the cluster never saw changes nothing and is repaired, and a deleted stack's assignment goes.
 * Several hosts: {@code SchedulerBedTest}.
 */
class SchedulerOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final AssignmentJson json = new AssignmentJson();
    @RegisterExtension
    final TestOperator h = TestOperator.create();

    private Optional<StackAssignment> assignment(String stack) {
        return h.etcd.kv.get(h.keys().assignment(stack)).flatMap(v -> json.read(v.value()));
    }

    private Set<String> ids(String stack) {
        return h.containers(stack).stream().map(Container::getId).collect(Collectors.toSet());
    }

    @Test
    void theOnlyHostRunsEveryReplicaItIsAssigned() {
        String s = h.name("one");
        h.apply(StackYaml.stack(s).replicas(2).yaml());
        h.awaitReady(s, 2);
        assertEquals(List.of(new Assignment("web", 1, h.host), new Assignment("web", 2, h.host)),
                assignment(s).orElseThrow().assignments());
        assertEquals(1.0, h.metric("berth_leader", "election", "scheduler"));
        assertTrue(h.metric("berth_scheduler_placements_total") >= 2);

        h.delete(s);
        Await.until(WAIT, "the assignment of a deleted stack is removed", () -> assignment(s).isEmpty()
                && h.etcd.kv.get(h.keys().assignment(s)).isEmpty(), () -> h.describeStatus(s));
    }

    @Test
    void anAssignmentNamingAnUnknownHostChangesNothingAndIsRepaired() {
        String s = h.name("ghost");
        h.apply(StackYaml.stack(s).replicas(2).yaml());
        h.awaitReady(s, 2);
        Set<String> before = ids(s);
        StackAssignment good = assignment(s).orElseThrow();
        StackAssignment ghost = new StackAssignment(s, good.stackRevision(), List.of(new Assignment("web", 1, "no-such-host"),
                new Assignment("web", 2, "no-such-host")), List.of(), List.of(), List.of(), good.updated());
        h.etcd.kv.put(h.keys().assignment(s), json.write(ghost));
        Await.until(WAIT, "the leader rewrites the assignment with the hosts it has",
                () -> assignment(s).map(a -> a.assignments().equals(good.assignments())).orElse(false),
                () -> assignment(s).toString());
        h.awaitReady(s, 2);
        assertEquals(before, ids(s), "no replica was removed because of the hand-written assignment");
    }
}
