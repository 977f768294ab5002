package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An idle operator's resyncs do not plan settled stacks again (issue 21: CPU at rest): a pass that finds a stack's
 * revision, what this host runs of it and what Docker has of it as at its last settled pass plans nothing. Whatever
 * changes one of those is still repaired or rolled out: a container removed or stopped by hand, a new revision.
 */
class SettledPassesTest {
    private static final Duration RESYNC = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final TestOperator h = TestOperator.builder().resync(RESYNC).build();

    @Test
    void resyncsSkipSettledStacksAndDriftIsStillRepaired() {
        String s = h.name("settled");
        String t = h.name("other");
        h.apply(StackYaml.stack(s).replicas(2).yaml() + "---\n" + StackYaml.stack(t).yaml());
        h.awaitReady(s, 2);
        h.awaitReady(t, 1);

        awaitUnchangedPassesAtTwoResyncs("both stacks settled");

        double goneOrDead = missingOrStopped();
        Container removed = container(s, 1);
        h.docker.removeContainerCmd(removed.getId()).withForce(true).exec();
        Await.until(WAIT, s + "-web-1 removed by hand runs again under a new id", () -> h.isReady(s, 2)
                && !container(s, 1).getId().equals(removed.getId()), () -> h.describeStatus(s));
        assertTrue(missingOrStopped() > goneOrDead, "the replacement counted as drift (missing, or stopped)");

        double stopped = h.metric("berth_drift_corrections_total", "drift=\"stopped\"");
        h.docker.stopContainerCmd(container(t, 1).getId()).withTimeout(1).exec();
        Await.until(WAIT, t + "'s container stopped by hand runs again", () -> h.isReady(t, 1),
                () -> h.describeStatus(t));
        assertTrue(h.metric("berth_drift_corrections_total", "drift=\"stopped\"") > stopped,
                "the restart counted as drift (stopped)");

        long before = h.revision(s);
        h.apply(StackYaml.stack(s).replicas(3).yaml());
        assertNotEquals(before, h.revision(s));
        h.awaitReady(s, 3);

        awaitUnchangedPassesAtTwoResyncs("both stacks settled again after the repairs and the new revision");
    }

    /** Two resyncs in which each of the two stacks' passes found nothing changed. */
    private void awaitUnchangedPassesAtTwoResyncs(String what) {
        double resyncs = h.metric("berth_resyncs_total");
        double unchanged = h.metric("berth_stack_passes_unchanged_total");
        Await.until(WAIT, what + ": two resyncs passed over both stacks without planning",
                () -> h.metric("berth_resyncs_total") >= resyncs + 2
                        && h.metric("berth_stack_passes_unchanged_total") >= unchanged + 4,
                () -> "resyncs " + (h.metric("berth_resyncs_total") - resyncs) + ", unchanged passes "
                        + (h.metric("berth_stack_passes_unchanged_total") - unchanged));
    }

    /**
     * A forced removal kills the container before it destroys it: a pass woken by the "die" event sees it exited
     * (drift "stopped", replaced), one woken by "destroy" sees its slot empty ("missing"). Either is a correction.
     */
    private double missingOrStopped() {
        return h.metric("berth_drift_corrections_total", "drift=\"missing\"")
                + h.metric("berth_drift_corrections_total", "drift=\"stopped\"");
    }

    private Container container(String stack, int replica) {
        String name = "/" + stack + "-web-" + replica;
        return h.containers(stack).stream().filter(c -> c.getNames()[0].equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name + ": " + h.describeStatus(stack)));
    }
}
