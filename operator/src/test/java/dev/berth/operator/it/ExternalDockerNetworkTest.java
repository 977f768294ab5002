package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.ContainerNetwork;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.reconcilers.labels.BerthLabels;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stack joining a Docker network made outside Berth (a Traefik's {@code traefik_proxy}, a Compose project's
 * {@code <project>_default}), by its exact name, on the real dockerd: Berth joins it and never changes it.
 */
class ExternalDockerNetworkTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final TestOperator h = TestOperator.create();

    @Test
    void aStackJoinsAnExistingDockerNetworkNamedWithAnUnderscore() {
        String s = h.name("extnet");
        String network = s + "_proxy";
        String id = h.docker.createNetworkCmd().withName(network).withDriver("bridge").exec().getId();
        try {
            h.apply(StackYaml.stack(s).networks(network).yaml());
            h.awaitReady(s, 1);
            Map<String, ContainerNetwork> joined = h.docker.inspectContainerCmd(h.containers(s).get(0).getId()).exec()
                    .getNetworkSettings().getNetworks();
            assertTrue(joined.containsKey(network), "joined " + joined.keySet());
            assertEquals(1, joined.size(), "joined " + joined.keySet());
            // Reachable there by the service's name, as on a Compose network.
            assertTrue(joined.get(network).getAliases().contains("web"), "aliases " + joined.get(network).getAliases());
            h.delete(s);
            Await.until(WAIT, "the stack's containers removed", () -> h.containers(s).isEmpty());
            // Not Berth's: it stays, as it was.
            assertEquals(id, h.docker.inspectNetworkCmd().withNetworkId(network).exec().getId());
        } finally {
            if (!h.containers(s).isEmpty()) {
                h.delete(s);
                Await.until(WAIT, "the stack's containers removed", () -> h.containers(s).isEmpty());
            }
            h.docker.removeNetworkCmd(id).exec();
        }
    }

    /**
     * A Docker network Berth made (its labels) whose Network is out of sight (deleted, invalid, not listed yet) is not
     * joined as an outside network: NetworkNotFound, nothing started (an operator with overlays keeps what runs).
     */
    @Test
    void aDockerNetworkBerthMadeIsNeverJoinedAsAnOutsideOne() {
        String s = h.name("berthnet");
        String network = s + "-overlay";
        String id = h.docker.createNetworkCmd().withName(network).withDriver("bridge")
                .withLabels(Map.of(BerthLabels.MANAGED_BY, h.instance, BerthLabels.OWNER, "network/" + network))
                .exec().getId();
        try {
            h.apply(StackYaml.stack(s).networks(network).yaml());
            Await.until(WAIT, "Degraded/NetworkNotFound",
                    () -> h.degradedReason(s).equals(java.util.Optional.of("NetworkNotFound")), () -> h.describeStatus(s));
            assertTrue(h.containers(s).isEmpty(), "nothing joined " + network);
            assertEquals(id, h.docker.inspectNetworkCmd().withNetworkId(network).exec().getId());
        } finally {
            h.delete(s);
            Await.until(WAIT, "the stack's containers removed", () -> h.containers(s).isEmpty());
            h.docker.removeNetworkCmd(id).exec();
        }
    }
}
