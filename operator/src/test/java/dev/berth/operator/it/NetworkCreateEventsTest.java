package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Network;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.reconcilers.labels.BerthLabels;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Docker's network "create" events carry no labels. The networks the operator creates itself are known as Berth's
 * without an inspect (issue 21: converging 100 stacks made 100 inspects); a labelled network someone else creates is
 * still inspected, known from its event, and removed as not declared long before a resync would find it.
 */
class NetworkCreateEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    final TestOperator h = TestOperator.builder().resync(Duration.ofMinutes(5)).build();

    @Test
    void ownNetworksNeedNoInspectAndOthersAreStillNoticed() {
        String a = h.name("a");
        String b = h.name("b");
        String c = h.name("c");
        h.apply(StackYaml.stack(a).yaml() + "---\n" + StackYaml.stack(b).yaml() + "---\n" + StackYaml.stack(c).yaml());
        h.awaitReady(a, 1);
        h.awaitReady(b, 1);
        h.awaitReady(c, 1);
        assertEquals(3, h.metric("berth_docker_requests_total", "operation=\"create_network\"", "outcome=\"success\""),
                "one network per stack");
        assertEquals(0, inspects(), "the operator's own networks were not inspected");

        Network own = h.docker.listNetworksCmd().withNameFilter(a + "_default").exec().stream()
                .filter(n -> n.getName().equals(a + "_default")).findFirst().orElseThrow();
        Map<String, String> labels = new HashMap<>(own.getLabels());
        labels.put(BerthLabels.NETWORK, "undeclared");
        String byHand = a + "_undeclared";
        h.docker.createNetworkCmd().withName(byHand).withDriver("bridge").withLabels(labels).exec();
        Await.until(WAIT, byHand + ", made by hand with the stack's labels, removed as not declared",
                () -> h.docker.listNetworksCmd().withNameFilter(byHand).exec().stream()
                        .noneMatch(n -> n.getName().equals(byHand)), () -> h.describeStatus(a));
        assertTrue(inspects() >= 1, "the network made by hand was inspected from its create event");
        assertEquals(List.of(a + "_default"), h.docker.listNetworksCmd().withNameFilter(a + "_").exec().stream()
                .map(Network::getName).filter(n -> n.startsWith(a + "_")).toList());
    }

    private double inspects() {
        return h.metric("berth_docker_requests_total", "operation=\"inspect_network\"");
    }
}
