package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code berth ps} on the three-host bed (a dockerd and an operator in this JVM per host, one etcd prefix): a replicated
 * stack spread one replica per host shows every host's container, and once a host's operator is gone its row is
 * Unknown (its container may still run; nobody can tell).
 */
@RunsOnOwnHosts
class PsBedTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static OverlayTestBed bed;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(3);
        bed.startOperators();
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, host.harness.host + " registered (first etcd calls of a fresh JVM are slow on a busy machine)",
                    () -> bed.etcd.kv.get(bed.etcd.keys.host(host.harness.host)).isPresent());
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    private static List<JsonNode> items(String stack) {
        CliRun run = bed.etcd.cli("ps", stack, "-o", "json");
        assertEquals(0, run.exit(), run.err());
        try {
            return StreamSupport.stream(JSON.readTree(run.out()).path("items").spliterator(), false).toList();
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + run.out(), e);
        }
    }

    @Test
    void psListsEveryHostAndMarksAHostThatIsGone() {
        String s = "pb" + bed.id + "-web";
        Set<String> hosts = bed.hosts.stream().map(h -> h.harness.host).collect(Collectors.toCollection(TreeSet::new));
        bed.hosts.get(0).harness.apply(StackYaml.stack(s).replicas(3).placement("{maxPerHost: 1}").yaml());
        Await.until(WAIT, "ps shows one running container on each of the three hosts", () -> {
            List<JsonNode> items = items(s);
            return items.size() == 3 && items.stream().allMatch(r -> r.path("state").asText().equals("running")
                    && r.path("restarts").asInt(-1) == 0)
                    && items.stream().map(r -> r.path("host").asText()).collect(Collectors.toSet()).equals(hosts);
        }, () -> bed.etcd.cli("ps", s, "-o", "wide").out());
        CliRun table = bed.etcd.cli("ps");
        for (String host : hosts) {
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith(host + " ") && l.contains(" running ")), table.out());
        }

        OverlayTestBed.Host gone = bed.hosts.get(2);
        gone.harness.stopOperator();
        Await.until(WAIT, gone.harness.host + "'s row Unknown once its operator is gone", () -> items(s).stream()
                .anyMatch(r -> r.path("host").asText().equals(gone.harness.host) && r.path("state").asText().equals("Unknown")),
                () -> bed.etcd.cli("ps", s, "-o", "wide").out());
        assertEquals(2, items(s).stream().filter(r -> r.path("state").asText().equals("running")).count(),
                bed.etcd.cli("ps", s, "-o", "wide").out());
    }
}
