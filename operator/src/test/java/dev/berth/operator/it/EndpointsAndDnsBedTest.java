package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.overlay.EtcdEndpointDirectory;
import dev.berth.reconcilers.docker.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One Docker host in a namespace, its operator running INSIDE the namespace (as on a real host, so names are on):
 * the host publishes its containers on a Berth Network to {@code v1/endpoints/<network>/<host>} within 2 s of each
 * change, and its containers there use the host's gateway as DNS server, without the service alias.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RunsOnOwnHosts
class EndpointsAndDnsBedTest {
    /** The operator is a JVM of its own, started under load: its first passes may take a while. */
    private static final Duration FIRST = Duration.ofSeconds(180);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** What the issue asks: a change visible within 2 s. */
    private static final Duration CHANGE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static OverlayTestBed bed;
    private static OverlayTestBed.Host host;
    private static TestOperator h;
    private static String network;
    private static String stack;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(1);
        host = bed.hosts.get(0);
        bed.prepareOperator(host, "np" + bed.id);
        h = host.harness;
        bed.startInNetns(host, List.of());
        network = "np" + bed.id;
        stack = h.instance + "-np";
        String networkYaml = Manifest.network(network, "vni: " + (200000 + Integer.parseInt(bed.id, 16))
                + "\nsubnet: 10." + (bed.underlayOctet - 50) + ".0.0/16");
        // A fresh JVM's first etcd calls can be slow on a loaded machine: the first write is retried.
        Await.until(WAIT, "the Network stored in etcd", () -> {
            try {
                h.apply(networkYaml);
                return true;
            } catch (dev.berth.operator.store.StoreException e) {
                return false;
            }
        });
        h.apply(stackYaml(2));
        Await.until(FIRST, "the stack running in the namespace", () -> h.isReady(stack, 3), () -> h.describeStatus(stack));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    /** web (global, {@code webReplicas}) on the Berth Network and a stack network; hc with a health check. */
    private static String stackYaml(int webReplicas) {
        return StackYaml.stack(stack).global().onHosts(List.of(h.host)).declaresNetworks("back")
                .service("web").replicas(webReplicas).networks(network, "back")
                .service("hc").networks(network)
                .with("healthcheck: {test: [CMD, sh, -c, 'test ! -f /tmp/sick'], interval: 1s, timeout: 1s, retries: 1}")
                .yaml();
    }

    private static List<Endpoint> published() {
        String key = EtcdEndpointDirectory.prefix(bed.etcd.keys) + network + "/" + h.host;
        return bed.etcd.kv.get(key).map(v -> {
            try {
                return JSON.readValue(v.value(), new TypeReference<List<Endpoint>>() {
                });
            } catch (Exception e) {
                throw new AssertionError("endpoints of " + h.host + " do not decode: " + v.value(), e);
            }
        }).orElse(List.of());
    }

    private static Optional<Endpoint> publishedAs(String container) {
        return published().stream().filter(e -> container.equals(e.container())).findFirst();
    }

    private static Optional<Container> container(String name) {
        return h.containers(stack).stream().filter(c -> ("/" + name).equals(c.getNames()[0])).findFirst();
    }

    private static InspectContainerResponse inspect(String name) {
        return h.docker.inspectContainerCmd(name).exec();
    }

    private static ContainerNetwork on(InspectContainerResponse c, String dockerNetwork) {
        return c.getNetworkSettings().getNetworks().get(dockerNetwork);
    }

    @Test
    @Order(1)
    void everyContainerOnTheNetworkIsPublishedWithItsNamesAddressAndReadiness() {
        Await.until(WAIT, "web-1, web-2 and a healthy hc-1 published", () -> published().size() == 3
                && published().stream().allMatch(Endpoint::ready), () -> published().toString());
        for (String name : List.of(stack + "-web-1", stack + "-web-2", stack + "-hc-1")) {
            ContainerNetwork attached = on(inspect(name), network);
            Endpoint e = publishedAs(name).orElseThrow(() -> new AssertionError(name + " not in " + published()));
            assertEquals(new Endpoint(attached.getIpAddress(), attached.getMacAddress(), name, stack,
                    name.contains("-hc-") ? "hc" : "web", Integer.valueOf(name.substring(name.length() - 1)), true), e);
        }
    }

    @Test
    @Order(2)
    void containersOnTheBerthNetworkAskTheGatewayAndCarryNoServiceAliasThere() {
        String gateway = h.docker.inspectNetworkCmd().withNetworkId(network).exec().getIpam().getConfig().get(0).getGateway();
        assertTrue(gateway != null && !gateway.isEmpty(), "the Berth Network's Docker network has a gateway");
        InspectContainerResponse web = inspect(stack + "-web-1");
        // The gateway (the operator answers), then the host's resolvers a container can reach (the fallback).
        List<String> expected = new java.util.ArrayList<>(List.of(gateway));
        dev.berth.operator.dns.Upstreams.reachableFromContainers(dev.berth.operator.dns.Upstreams.ofThisHost()).stream()
                .filter(ip -> !ip.equals(gateway)).forEach(expected::add);
        assertEquals(expected, List.of(web.getHostConfig().getDns()), "HostConfig.Dns");
        List<String> berthAliases = Optional.ofNullable(on(web, network).getAliases()).orElse(List.of());
        assertFalse(berthAliases.contains("web"), "no service alias on the Berth Network: " + berthAliases);
        List<String> stackAliases = Optional.ofNullable(on(web, stack + "_back").getAliases()).orElse(List.of());
        assertTrue(stackAliases.contains("web"), "the stack's own network keeps the service alias: " + stackAliases);
    }

    /** berth diff plans as the operator does: with names on, the running containers are what it wants. */
    @Test
    @Order(3)
    void diffPlansTheSameDnsServerAsTheOperator() {
        Await.until(WAIT, "stack ready", () -> h.isReady(stack, 3), () -> h.describeStatus(stack));
        dev.berth.operator.CliRun same = h.cli("diff", "stack", stack, "--host", h.host, "--instance", h.instance,
                "--docker-host", host.dockerd.host());
        assertEquals(0, same.exit(), same.out() + same.err());
        dev.berth.operator.CliRun off = h.cli("diff", "stack", stack, "--host", h.host, "--instance", h.instance,
                "--docker-host", host.dockerd.host(), "--dns=false");
        assertEquals(1, off.exit(), "without names every container on the Berth Network differs: " + off.out() + off.err());
        assertTrue(off.out().contains(stack + "-hc-1"), off.out());
    }

    @Test
    @Order(4)
    void aStartedReplicaIsPublishedWithin2Seconds() {
        h.apply(stackYaml(3));
        String name = stack + "-web-3";
        Await.until(WAIT, name + " running with its address", () -> container(name)
                .filter(c -> "running".equals(c.getState())).isPresent()
                && on(inspect(name), network) != null && !on(inspect(name), network).getIpAddress().isEmpty());
        Await.until(CHANGE, name + " published as ready within 2 s of running", () -> publishedAs(name)
                .filter(Endpoint::ready).isPresent(), () -> published().toString());
    }

    @Test
    @Order(5)
    void anUnhealthyReplicaIsPublishedNotReadyWithin2Seconds() throws Exception {
        String name = stack + "-hc-1";
        exec(name, "touch", "/tmp/sick");
        Await.until(WAIT, name + " unhealthy in Docker", () -> "unhealthy".equals(
                inspect(name).getState().getHealth().getStatus()));
        Await.until(CHANGE, name + " published not ready within 2 s", () -> publishedAs(name)
                .filter(e -> !e.ready()).isPresent(), () -> published().toString());
        exec(name, "rm", "/tmp/sick");
        Await.until(WAIT, name + " ready again", () -> publishedAs(name).filter(Endpoint::ready).isPresent(),
                () -> published().toString());
    }

    @Test
    @Order(6)
    void aStoppedReplicaLeavesTheListWithin2Seconds() {
        String name = stack + "-web-3";
        h.apply(stackYaml(2));
        Await.until(WAIT, name + " stopped", () -> container(name).filter(c -> "running".equals(c.getState())).isEmpty());
        Await.until(CHANGE, name + " gone from the list within 2 s of stopping", () -> publishedAs(name).isEmpty(),
                () -> published().toString());
        assertEquals(3, published().size(), "the others stay: " + published());
    }

    private static void exec(String container, String... command) throws Exception {
        DockerClient docker = h.docker;
        ExecCreateCmdResponse exec = docker.execCreateCmd(container).withCmd(command)
                .withAttachStdout(true).withAttachStderr(true).exec();
        docker.execStartCmd(exec.getId()).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<>())
                .awaitCompletion(30, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        assertEquals(0L, code, String.join(" ", command) + " in " + container);
    }
}
