package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectSetCheck;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.operator.store.StoredValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner's part of the check across objects, without git or etcd: which stored objects still count. */
class SyncPlannerSetCheckTest {
    private static final ManifestParser PARSER = new ManifestParser(Kinds.standard());

    private static String network(String name, int vni, String subnet) {
        return "apiVersion: berth.dev/v1\nkind: Network\nmetadata:\n  name: " + name + "\nspec:\n  vni: " + vni
                + "\n  subnet: " + subnet + "\n";
    }

    private static SyncPlanner.Desired desired(String file, String yaml) {
        Resource r = PARSER.parse(file, yaml).resources().get(0);
        return new SyncPlanner.Desired(r.key(), "/berth/v1/" + r.key(), GitAnnotations.inject(yaml, "src", "c1"), r);
    }

    /** A network this source wrote earlier, still in etcd. */
    private static Map<String, SyncPlanner.Current> storedBySource(String name, int vni, String subnet) {
        String key = "network/" + name;
        String text = GitAnnotations.inject(network(name, vni, subnet), "src", "c0");
        return Map.of(key, new SyncPlanner.Current(key, new StoredValue("/berth/v1/" + key, text, 5, 5)));
    }

    private static SyncPlan plan(boolean prune, Map<String, SyncPlanner.Current> current) {
        return SyncPlanner.plan("src", prune, false, false,
                List.of(desired("nets/new.yaml", network("new", 7, "10.1.0.0/16"))), current, Map.of(), PARSER,
                ObjectSetCheck.standard());
    }

    @Test
    void anObjectThatStaysInEtcdCountsAndNothingMayBeWritten() {
        SyncPlan plan = plan(false, storedBySource("old", 7, "10.9.0.0/16"));
        assertEquals(List.of("network/old"), plan.orphans());
        assertEquals(List.of("nets/new.yaml:6:8: spec.vni: VNI 7 is already used by network \"old\""),
                plan.invalid().stream().map(ValidationError::toString).toList());
    }

    @Test
    void anObjectTheSyncPrunesNoLongerCounts() {
        SyncPlan plan = plan(true, storedBySource("old", 7, "10.9.0.0/16"));
        assertEquals(List.of("network/old"), plan.pruned());
        assertTrue(plan.invalid().isEmpty(), plan.invalid().toString());
    }
}
