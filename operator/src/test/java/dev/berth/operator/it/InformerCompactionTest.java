package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.PrivateEtcd;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.crds.ObjectKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The desired-state cache on a real etcd whose history is compacted while its watch is behind. */
class InformerCompactionTest {
    private static String stack(String name) {
        return StackYaml.stack(name).yaml();
    }

    @Test
    void aCompactedWatchReListsAndSeesDeletesAsDeletes() throws Exception {
        try (PrivateEtcd etcd = new PrivateEtcd()) {
            etcd.start();
            try (EtcdFixture f = new EtcdFixture(etcd.endpoint())) {
                f.kv.put(f.keys.desired("stack", "a"), stack("a"));
                f.kv.put(f.keys.desired("stack", "b"), stack("b"));
                Set<String> changed = ConcurrentHashMap.newKeySet();
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                try (DesiredInformer informer = new DesiredInformer(Kinds.standard().byKind("Stack").orElseThrow(), f.kv,
                        f.store, (ObjectKey k) -> changed.add(k.name()), TestOperator.FAST_RETRY, registry)) {
                    informer.start();
                    Await.until(Duration.ofSeconds(20), "synced with a and b",
                            () -> informer.synced() && informer.names().equals(Set.of("a", "b")));
                    long staleRevision = f.kv.get(f.keys.desired("stack", "b")).orElseThrow().modRevision();
                    changed.clear();

                    f.kv.delete(f.keys.desired("stack", "a"));
                    f.kv.put(f.keys.desired("stack", "c"), stack("c"));
                    long now = f.kv.get(f.keys.desired("stack", "c")).orElseThrow().modRevision();
                    etcd.etcdctl("compaction", Long.toString(now));
                    // Watch again from before the compaction, as a watch that was disconnected meanwhile would.
                    informer.watchFromForTest(staleRevision + 1);

                    Await.until(Duration.ofSeconds(20), "re-listed after the compaction",
                            () -> registry.get("berth.etcd.compactions.seen").counter().count() >= 1
                                    && informer.names().equals(Set.of("b", "c")), () -> informer.names().toString());
                    assertTrue(changed.contains("a"), "the delete was reported: " + changed);
                    assertTrue(changed.contains("c"), "the create was reported: " + changed);
                    assertTrue(informer.get("a").isEmpty());
                    assertEquals(1.0, registry.get("berth.etcd.compactions.seen").counter().count());
                    // Closing is idempotent (shutdown paths may close twice); the try closes it once more.
                    informer.close();
                    informer.close();
                }
            }
        }
    }
}
