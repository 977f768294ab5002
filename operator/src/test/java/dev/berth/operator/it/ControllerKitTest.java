package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The controller kit as a user of the metrics sees it: one etcd watch per prefix, leader-only workers. */
class ControllerKitTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Map<String, Double> watches(MeterRegistry registry) {
        Map<String, Double> open = new TreeMap<>();
        registry.find("berth.etcd.watches").gauges().forEach(g -> open.put(g.getId().getTag("prefix"), g.value()));
        return open;
    }

    private static double workers(TestOperator h, String controller) {
        Gauge g = h.operator().registry().find("berth.controller.workers").tag("controller", controller).gauge();
        return g == null ? -1 : g.value();
    }

    @Test
    void everyPrefixIsWatchedExactlyOnce() throws Exception {
        try (TestOperator h = TestOperator.create().start()) {
            String base = h.keys().base();
            Set<String> expected = Set.of(base + "stack/", base + "route/", base + "network/", base + "gitsource/",
                    base + "hosts/", base + "backends/", base + "gitops-triggers/", h.keys().assignmentsPrefix(),
                    h.keys().membersPrefix(), h.keys().cordonsPrefix());
            Await.until(WAIT, "a watch open on every prefix", () -> watches(h.operator().registry()).keySet()
                    .containsAll(expected), () -> watches(h.operator().registry()).toString());
            Map<String, Double> open = watches(h.operator().registry());
            assertEquals(Set.copyOf(h.operator().watchedPrefixes()), open.keySet(), "every watch belongs to an informer");
            assertTrue(open.values().stream().allMatch(v -> v == 1.0), "one watch per prefix: " + open);
            assertEquals(expected, open.keySet().stream().filter(expected::contains).collect(Collectors.toSet()));
        }
    }

    @Test
    void leaderOnlyControllersRunOnTheLeaderAndMoveWithIt() throws Exception {
        try (TestOperator a = TestOperator.create()) {
            try (TestOperator b = a.peer("host-b-" + a.instance)) {
                a.start();
                b.start();
                for (String controller : new String[] {"route", "gitops", "scheduler"}) {
                    Await.until(WAIT, controller + " workers on exactly one operator",
                            () -> workers(a, controller) + workers(b, controller) > 0
                                    && (workers(a, controller) == 0 || workers(b, controller) == 0),
                            () -> workers(a, controller) + " / " + workers(b, controller));
                }
                assertTrue(workers(a, "stack") > 0 && workers(b, "stack") > 0, "every operator runs its stacks");
                TestOperator leader = workers(a, "route") > 0 ? a : b;
                TestOperator follower = leader == a ? b : a;
                leader.stopOperator();
                Await.until(WAIT, "the other operator starts the leader-only controllers",
                        () -> workers(follower, "route") > 0 && workers(follower, "gitops") > 0
                                && workers(follower, "scheduler") > 0,
                        () -> workers(follower, "route") + " / " + workers(follower, "gitops") + " / "
                                + workers(follower, "scheduler"));
            }
        }
    }
}
