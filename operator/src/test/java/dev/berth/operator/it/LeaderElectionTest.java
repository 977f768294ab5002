package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.control.LeaderElection;
import dev.berth.operator.store.EtcdKv;
import java.util.List;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Election on the real etcd: one leader at a time; another takes over when the leader goes. */
class LeaderElectionTest {
    @Test
    void oneLeaderAndATakeOverWhenItResigns() {
        try (EtcdFixture etcd = new EtcdFixture()) {
            String key = etcd.prefix + "/v1/elections/test";
            AtomicBoolean aLeads = new AtomicBoolean();
            AtomicBoolean bLeads = new AtomicBoolean();
            LeaderElection a = new LeaderElection(etcd.kv, key, "a", 3, aLeads::set, new SimpleMeterRegistry());
            LeaderElection b = new LeaderElection(etcd.kv, key, "b", 3, bLeads::set, new SimpleMeterRegistry());
            try {
                a.start();
                Await.until(Duration.ofSeconds(10), "a leads", aLeads::get);
                EtcdKv.Guard aGuard = a.leaderGuard().orElseThrow();
                assertTrue(etcd.kv.commit(List.of(aGuard), List.of(new EtcdKv.Write(etcd.prefix + "/x", "a"))),
                        "the leader's guarded write goes through");
                b.start();
                Await.until(Duration.ofSeconds(10), "b is a waiting candidate in etcd",
                        () -> etcd.kv.list(key + "/").values().size() == 2);
                assertFalse(bLeads.get(), "only one leader");
                a.close();
                assertFalse(aLeads.get(), "a stepped down");
                Await.until(Duration.ofSeconds(10), "b takes over", bLeads::get);
                assertTrue(b.isLeader());
                assertFalse(etcd.kv.commit(List.of(aGuard), List.of(new EtcdKv.Write(etcd.prefix + "/x", "late a"))),
                        "a former leader's late write is refused");
                assertTrue(a.leaderGuard().isEmpty());
                assertTrue(etcd.kv.commit(List.of(b.leaderGuard().orElseThrow()),
                        List.of(new EtcdKv.Write(etcd.prefix + "/x", "b"))));
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
