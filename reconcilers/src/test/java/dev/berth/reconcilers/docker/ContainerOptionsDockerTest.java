package dev.berth.reconcilers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import dev.berth.crds.stack.LoggingSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackConverger;
import dev.berth.reconcilers.stack.StackOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container options a Stack took over from Compose (hostname ... shmSize) reach Docker as written, a change of one
 * replaces the container, and a service with a stop grace period is stopped (not killed) before it is removed.
 */
class ContainerOptionsDockerTest {
    private static final String IMG = DockerTestSupport.image();
    /** Ignores the stop signals, so only Docker's kill at the end of the grace period ends it. */
    private static final List<String> STUBBORN = List.of("sh", "-c", "trap '' TERM USR1; while true; do sleep 1; done");
    private static final List<String> LOOP = List.of("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");

    private static DockerClient docker;
    private static Docker gateway;
    private static String prefix;
    /** Docker API calls the gateway made, as operation/outcome. */
    private static final List<String> calls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void connect() {
        docker = DockerClients.connect(DockerTestSupport.dockerHost());
        docker.pingCmd().exec();
        prefix = DockerTestSupport.randomPrefix();
        gateway = new InstrumentedDocker(docker, DockerClients.connectForEvents(DockerTestSupport.dockerHost()),
                t -> DockerClients.connect(DockerTestSupport.dockerHost(), t), prefix,
                (operation, outcome, nanos) -> calls.add(operation + "/" + outcome));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (docker != null) {
            DockerTestSupport.removeStack(docker, prefix + "opts");
            docker.close();
        }
    }

    private static ServiceSpec withOptions(String hostname) {
        return withOptions(hostname, false);
    }

    private static ServiceSpec withOptions(String hostname, boolean privileged) {
        return new ServiceSpec("opts", IMG, STUBBORN, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, hostname,
                null, null, "/srv/work", privileged, Map.of("nofile", new dev.berth.crds.stack.Ulimit(1024, 2048)),
                new LoggingSpec("json-file", Map.of("max-size", "1m", "max-file", "2")),
                Map.of("net.core.somaxconn", "1024"), List.of("db.internal:10.0.0.2", "v6.internal:::1"),
                List.of("/dev/null:/dev/berth-null:rw"), "SIGUSR1", "1s", "96m");
    }

    private static ServiceSpec plain() {
        return new ServiceSpec("plain", IMG, LOOP, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, 1);
    }

    private StackOutcome reconcile(StackSpec spec) {
        ObservedStack observed = new ObservedStack(gateway.listManagedContainers(), gateway.listManagedNetworks());
        StackOutcome o = new StackConverger(gateway).reconcile(prefix + "opts", Optional.ofNullable(spec), observed);
        o.report().failure().ifPresent(e -> fail(e.reason() + ": " + e.message()));
        return o;
    }

    @Test
    void everyOptionReachesDockerAChangeRollsAndTheGracePeriodIsUsed() throws Exception {
        String stack = prefix + "opts";
        reconcile(new StackSpec(null, List.of(withOptions("opts-a"), plain()), List.of()));

        InspectContainerResponse c = docker.inspectContainerCmd(stack + "-opts-1").exec();
        HostConfig host = c.getHostConfig();
        assertEquals(List.of(new Ulimit("nofile", 1024L, 2048L)), Arrays.asList(host.getUlimits()));
        assertEquals("json-file", host.getLogConfig().getType().getType());
        assertEquals(Map.of("max-size", "1m", "max-file", "2"), host.getLogConfig().getConfig());
        assertEquals(Map.of("net.core.somaxconn", "1024"), host.getSysctls());
        assertEquals(List.of("db.internal:10.0.0.2", "v6.internal:::1"), Arrays.asList(host.getExtraHosts()));
        assertEquals(List.of(new Device("rw", "/dev/berth-null", "/dev/null")), Arrays.asList(host.getDevices()));
        assertEquals(96L * 1024 * 1024, host.getShmSize());
        assertEquals("opts-a", c.getConfig().getHostName());
        assertEquals("/srv/work", c.getConfig().getWorkingDir());
        // docker-java's ContainerConfig has no StopSignal or StopTimeout: read what Docker was told from its own JSON.
        JsonNode config = inspectJson(stack + "-opts-1").path("Config");
        assertEquals("SIGUSR1", config.path("StopSignal").asText());
        assertEquals(1, config.path("StopTimeout").asInt());
        assertEquals("1", c.getConfig().getLabels().get(BerthLabels.STOP_GRACE_SECONDS));
        // A service without options is created as before: no stop timeout, no grace label.
        JsonNode plainConfig = inspectJson(stack + "-plain-1").path("Config");
        assertTrue(plainConfig.path("StopTimeout").isMissingNode() || plainConfig.path("StopTimeout").isNull(),
                plainConfig.toString());
        String plainId = docker.inspectContainerCmd(stack + "-plain-1").exec().getId();

        calls.clear();
        reconcile(new StackSpec(null, List.of(withOptions("opts-b"), plain()), List.of()));
        InspectContainerResponse rolled = docker.inspectContainerCmd(stack + "-opts-1").exec();
        assertNotEquals(c.getId(), rolled.getId(), "a changed hostname replaces the container");
        assertEquals("opts-b", rolled.getConfig().getHostName());
        assertEquals(plainId, docker.inspectContainerCmd(stack + "-plain-1").exec().getId(), "the other service stays");
        // The old container was stopped with its grace period before the forced remove (it ignores the signal, so
        // Docker killed it when the second passed).
        assertEquals(List.of("stop_container/success"), calls.stream().filter(s -> s.startsWith("stop_")).toList());

        calls.clear();
        reconcile(null);
        assertEquals(List.of("stop_container/success"), calls.stream().filter(s -> s.startsWith("stop_")).toList(),
                "only the service with a grace period is stopped first; the other is removed at once, as before");
        assertEquals(2, calls.stream().filter(s -> s.equals("remove_container/success")).count(), calls.toString());
    }

    /**
     * Privileged containers cannot start in every sandbox this runs in (runc may not apply all capabilities), so this
     * one is only created: what Docker was told is what matters here.
     */
    @Test
    void privilegedIsToldToDocker() {
        ContainerPlan plan = dev.berth.reconcilers.stack.PlanBuilder.container(prefix, prefix + "opts",
                withOptions("opts-p", true), 9, Map.of());
        String id = ContainerCreateSpec.fill(docker.createContainerCmd(IMG), plan).exec().getId();
        try {
            assertEquals(Boolean.TRUE, docker.inspectContainerCmd(id).exec().getHostConfig().getPrivileged());
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    /**
     * docker-java's LoggingType knows no {@code local} driver: such a driver goes through the raw log config, and
     * Docker must still be told the driver and its options.
     */
    @Test
    void aDriverDockerJavaDoesNotKnowReachesDocker() throws Exception {
        ServiceSpec local = new ServiceSpec("opts", IMG, LOOP, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, Map.of(), new LoggingSpec("local", Map.of("max-size", "5m", "max-file", "2")),
                Map.of(), List.of(), List.of(), null, null, null);
        ContainerPlan plan = dev.berth.reconcilers.stack.PlanBuilder.container(prefix, prefix + "opts", local, 8, Map.of());
        String id = ContainerCreateSpec.fill(docker.createContainerCmd(IMG), plan).exec().getId();
        try {
            JsonNode log = inspectJson(id).path("HostConfig").path("LogConfig");
            assertEquals("local", log.path("Type").asText(), log.toString());
            assertEquals("5m", log.path("Config").path("max-size").asText(), log.toString());
            assertEquals("2", log.path("Config").path("max-file").asText(), log.toString());
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    /** Docker's own inspect JSON, through its CLI (what docker-java's model leaves out). */
    private static JsonNode inspectJson(String container) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "inspect", container).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("docker inspect " + container + ": " + out);
        }
        return new ObjectMapper().readTree(out).get(0);
    }
}
