package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.StackYaml;
import dev.berth.operator.metrics.StackDrift;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.PlanBuilder;
import dev.berth.reconcilers.stack.StackPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The drift kinds come from the real planner's actions and reasons (pure, no Docker). */
class StackDriftTest {
    private static final String I = "berth";
    private final StackSpec spec = new ManifestParser(Kinds.standard())
            .parse("s.yaml", StackYaml.stack("s").image("busybox").replicas(2).yaml()).resources().get(0).spec(StackSpec.class);
    private final Map<String, NetworkPlan> networks = PlanBuilder.networks(I, "s", spec);
    private final List<ContainerPlan> plans = PlanBuilder.containers(I, "s", spec, networks);

    private Map<String, Integer> drift(List<ObservedContainer> containers, List<ObservedNetwork> nets) {
        ObservedStack seen = new ObservedStack(containers, nets);
        return StackDrift.classify(StackPlanner.plan(I, "s", Optional.of(spec), seen), seen);
    }

    private List<ObservedNetwork> nets() {
        return networks.values().stream().map(n -> new ObservedNetwork("n-" + n.name(), n.name(), n.labels())).toList();
    }

    private ObservedContainer running(ContainerPlan p) {
        return new ObservedContainer("c-" + p.name(), p.name(), p.labels(), "running", "");
    }

    @Test
    void converged() {
        assertEquals(Map.of(), drift(plans.stream().map(this::running).toList(), nets()));
    }

    @Test
    void missingContainerAndNetwork() {
        assertEquals(Map.of("missing", 3), drift(List.of(), List.of()));
    }

    @Test
    void stoppedRenamedSpecChangedExtraOrphan() {
        List<ObservedContainer> seen = new ArrayList<>();
        ContainerPlan one = plans.get(0);
        ContainerPlan two = plans.get(1);
        seen.add(new ObservedContainer("c1", one.name(), one.labels(), "exited", ""));          // stopped
        seen.add(new ObservedContainer("c2", "by-hand", two.labels(), "running", ""));         // renamed
        Map<String, String> extra = new HashMap<>(two.labels());
        extra.put(BerthLabels.REPLICA, "3");
        seen.add(new ObservedContainer("c3", "s-web-3", extra, "running", ""));                 // extra (scaled down)
        Map<String, String> orphan = new HashMap<>(two.labels());
        orphan.put(BerthLabels.SERVICE, "gone");
        seen.add(new ObservedContainer("c4", "s-gone-1", orphan, "running", ""));               // orphan
        assertEquals(Map.of("stopped", 1, "renamed", 1, "extra", 1, "orphan", 1), drift(seen, nets()));

        Map<String, String> old = new HashMap<>(one.labels());
        old.put(BerthLabels.SPEC_HASH, "0000");
        assertEquals(Map.of("spec_changed", 1), drift(List.of(
                new ObservedContainer("c5", one.name(), old, "running", ""), running(two)), nets()));
    }
}
