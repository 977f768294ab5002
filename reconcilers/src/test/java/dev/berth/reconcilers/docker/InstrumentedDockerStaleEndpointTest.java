package dev.berth.reconcilers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import dev.berth.crds.ObjectKey;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, defect 4: a SIGKILL of the operator while a stack was deleted left {@code <stack>_default} with an
 * endpoint Docker kept ("has active endpoints") and Berth retried the removal forever. Removing Berth's own network
 * now disconnects (with force) the endpoints of containers that are gone, or that are the network owner's own and do
 * not run, and tries again; what it must not touch it names in a NetworkInUse failure.
 *
 * <p>A stale endpoint without any container could not be made on demand on Docker 20.10 (it appears when a start is
 * cut off by the client going away while the container is removed, and only now and then), so the real dockerd here
 * keeps an endpoint of a paused container of the deleted stack: an endpoint of a container that does not run and is
 * Berth's to remove, which takes the same path.
 */
class InstrumentedDockerStaleEndpointTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private String prefix;
    private String stack;
    private DockerClient client;
    private InstrumentedDocker docker;

    @BeforeEach
    void connect() {
        prefix = DockerTestSupport.randomPrefix();
        stack = prefix + "-s";
        client = DockerClients.connect(DockerTestSupport.dockerHost());
        docker = new InstrumentedDocker(client, client, t -> {
            throw new IllegalStateException("no graceful stops here");
        }, prefix, (operation, outcome, nanos) -> calls.add(operation + ":" + outcome));
    }

    @AfterEach
    void clean() throws IOException {
        client.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(BerthLabels.MANAGED_BY, prefix)).exec()
                .forEach(c -> client.removeContainerCmd(c.getId()).withForce(true).exec());
        DockerTestSupport.removeTestObjects(client, prefix);
        DockerTestSupport.removeStack(client, stack);
        client.close();
    }

    @Test
    void anEndpointOfTheDeletedStacksOwnContainerThatDoesNotRunIsDisconnectedAndTheNetworkRemoved() {
        String network = berthNetwork();
        String id = container(network, berthLabels(), "paused");

        docker.removeNetwork(network, stack + "_default");

        assertTrue(client.listNetworksCmd().withIdFilter(network).exec().isEmpty(), "the network is removed");
        assertTrue(calls.contains("disconnect_network:success"), "counted as a Docker call: " + calls);
        assertTrue(client.inspectContainerCmd(id).exec().getNetworkSettings().getNetworks().isEmpty(),
                "only the endpoint went, the container is the pass's to remove");
    }

    @Test
    void aRunningContainerOrOneBerthDoesNotOwnIsLeftAloneAndNamed() {
        String network = berthNetwork();
        Map<String, String> foreign = Map.of(DockerTestSupport.TEST_LABEL, prefix);
        container(network, foreign, "running");
        String ours = container(network, berthLabels(), "running");

        DockerActionException e = assertThrows(DockerActionException.class,
                () -> docker.removeNetwork(network, stack + "_default"));

        assertEquals(DockerActionException.NETWORK_IN_USE, e.reason());
        assertTrue(e.getMessage().contains(prefix + "-running-0 (not Berth's)"), e.getMessage());
        assertTrue(e.getMessage().contains(prefix + "-running-1 (running)"), e.getMessage());
        assertEquals(2, client.inspectNetworkCmd().withNetworkId(network).exec().getContainers().size(),
                "nothing disconnected");
        assertTrue(client.inspectContainerCmd(ours).exec().getState().getRunning());
    }

    private String berthNetwork() {
        Map<String, String> labels = berthLabels();
        return client.createNetworkCmd().withName(stack + "_default").withLabels(labels).withCheckDuplicate(true)
                .exec().getId();
    }

    private Map<String, String> berthLabels() {
        Map<String, String> labels = new HashMap<>();
        labels.put(BerthLabels.MANAGED_BY, prefix);
        labels.put(BerthLabels.OWNER, ObjectKey.stack(stack).toString());
        labels.put(BerthLabels.NETWORK, "default");
        return labels;
    }

    private int containers;

    /** A container on the network, left running or paused. */
    private String container(String network, Map<String, String> labels, String state) {
        String id = client.createContainerCmd(DockerTestSupport.image()).withName(prefix + "-" + state + "-" + containers++)
                .withCmd("sleep", "300").withLabels(labels)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network).withInit(true)).exec().getId();
        client.startContainerCmd(id).exec();
        if ("paused".equals(state)) {
            client.pauseContainerCmd(id).exec();
        }
        return id;
    }
}
