package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.overlay.EtcdSubnetLeases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Subnet leases on the real etcd, with hosts racing for them. */
class SubnetLeaseTest {
    @Test
    void hostsRacingNeverHoldOverlappingRangesAndKeepTheirsAcrossRestarts() throws Exception {
        try (EtcdFixture etcd = new EtcdFixture()) {
            Ipv4Cidr subnet = Ipv4Cidr.parse("10.77.0.0/21");
            int hosts = 8;
            Map<String, Ipv4Cidr> got = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(hosts);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                String host = "h" + i;
                // Each host its own leases object, as separate operators would have.
                EtcdSubnetLeases leases = new EtcdSubnetLeases(etcd.kv, etcd.keys);
                futures.add(pool.submit(() -> {
                    go.await();
                    got.put(host, leases.acquire("net", subnet, 24, host));
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            List<Ipv4Cidr> ranges = new ArrayList<>(got.values());
            assertEquals(hosts, ranges.size());
            for (int a = 0; a < ranges.size(); a++) {
                assertTrue(subnet.contains(ranges.get(a)));
                for (int b = a + 1; b < ranges.size(); b++) {
                    assertFalse(ranges.get(a).overlaps(ranges.get(b)), ranges.get(a) + " overlaps " + ranges.get(b));
                }
            }
            EtcdSubnetLeases again = new EtcdSubnetLeases(etcd.kv, etcd.keys);
            assertEquals(got.get("h3"), again.acquire("net", subnet, 24, "h3"), "same range after a restart");
            try {
                again.acquire("net", subnet, 24, "h-ninth");
                throw new AssertionError("a ninth /24 cannot fit in a /21");
            } catch (dev.berth.operator.store.StoreException e) {
                assertTrue(e.getMessage().contains("all 8 host ranges of 10.77.0.0/21 are leased"), e.getMessage());
            }
            again.release("net", "h3");
            assertEquals(got.get("h3"), again.acquire("net", subnet, 24, "h-ninth"), "a released range is free again");
        }
    }
}
