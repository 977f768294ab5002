package dev.berth.operator.schedule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.operator.StackYaml;
import org.junit.jupiter.api.Test;

/** A drain or rebalance of a one-shot service (restart "no"): no start-first handover waiting for it to run (pure). */
class HandoverPlannerOneShotTest {
    private static StackSpec spec(StackYaml yaml) {
        return new ManifestParser(Kinds.standard()).parse("t.yaml", yaml.yaml()).resources().get(0).spec(StackSpec.class);
    }

    @Test
    void aOneShotServiceMovesWithoutAHandover() {
        assertFalse(HandoverPlanner.startFirst(spec(StackYaml.stack("s").with("restart: \"no\"")), "web"),
                "a handover would wait for a job to be running, give up after 5 min and run it on the next host");
        assertFalse(HandoverPlanner.startFirst(spec(StackYaml.stack("s").with("restart: on-failure")), "web"));
        assertTrue(HandoverPlanner.startFirst(spec(StackYaml.stack("s")), "web"), "a long-running service hands over");
    }

    @Test
    void aCompletedReplicaOnTheTargetEndsAHandover() {
        assertTrue(HandoverPlanner.taken(new ReplicaStatus("s-web-1", "web", 1, "exited", null, "completed"), false));
        assertFalse(HandoverPlanner.taken(new ReplicaStatus("s-web-1", "web", 1, "exited", null, "failed: exit code 1"),
                false));
        assertTrue(HandoverPlanner.taken(new ReplicaStatus("s-web-1", "web", 1, "running", null, ""), false));
        assertFalse(HandoverPlanner.taken(new ReplicaStatus("s-web-1", "web", 1, "running", "starting", ""), true));
    }
}
