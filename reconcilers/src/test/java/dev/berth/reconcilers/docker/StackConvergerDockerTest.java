package dev.berth.reconcilers.docker;

import static dev.berth.reconcilers.docker.DockerTestSupport.TEST_LABEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.VolumeSpec;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.Counts;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackAction;
import dev.berth.reconcilers.stack.StackOutcome;
import dev.berth.reconcilers.stack.StackPlanner;
import dev.berth.reconcilers.stack.StackConverger;
import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StackConvergerDockerTest {
    private static final String IMG = DockerTestSupport.image();
    private static final List<String> LOOP = List.of("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done");

    private static DockerClient docker;
    private static Docker gateway;
    private static String prefix;
    private final List<String> stacks = new ArrayList<>();
    private static final List<Path> dirs = new ArrayList<>();

    @BeforeAll
    static void connect() {
        docker = DockerClients.connect(DockerTestSupport.dockerHost());
        docker.pingCmd().exec();
        prefix = DockerTestSupport.randomPrefix();
        // Its own instance, so an operator running on the same daemon (the demo's) never sees these objects.
        gateway = new InstrumentedDocker(docker, DockerClients.connectForEvents(DockerTestSupport.dockerHost()),
                t -> DockerClients.connect(DockerTestSupport.dockerHost(), t), prefix);
    }

    @AfterEach
    void cleanUp() {
        if (docker == null) {
            return;
        }
        stacks.forEach(s -> DockerTestSupport.removeStack(docker, s));
        DockerTestSupport.removeTestObjects(docker, prefix);
    }

    @AfterAll
    static void cleanUpAll() throws Exception {
        if (docker == null) {
            return;
        }
        try {
            docker.removeImageCmd(prefix + "/busybox:2").exec();
        } catch (RuntimeException ignored) {
            // Only some tests tag it.
        }
        for (Path d : dirs) {
            Files.deleteIfExists(d.resolve("hello.txt"));
            Files.deleteIfExists(d);
        }
        docker.close();
    }

    private String stack(String suffix) {
        String name = prefix + suffix;
        stacks.add(name);
        return name;
    }

    private ObservedStack observe() {
        return new ObservedStack(gateway.listManagedContainers(), gateway.listManagedNetworks());
    }

    private StackOutcome reconcile(String stack, StackSpec spec) {
        return new StackConverger(gateway).reconcile(stack, Optional.ofNullable(spec), observe());
    }

    private static StackOutcome assertApplied(StackOutcome o) {
        o.report().failure().ifPresent(e -> fail(e.reason() + ": " + e.message()));
        return o;
    }

    private static ServiceSpec simple(String name, String image, List<String> cmd, List<PortSpec> ports,
                                      List<VolumeSpec> volumes) {
        return new ServiceSpec(name, image, cmd, null, null, null, ports, volumes, null, null, null, null, null,
                null, null, null, null, true, 1);
    }

    private static int freePort() {
        return 20000 + ThreadLocalRandom.current().nextInt(20000);
    }

    @Test
    void twoServiceStackHonoursEveryField() throws Exception {
        String stack = stack("full");
        Path dir = Files.createTempDirectory(prefix);
        dirs.add(dir);
        Files.writeString(dir.resolve("hello.txt"), "hi");
        // httpd runs as nobody: it must be able to read the bind mount.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("hello.txt"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        int port = freePort();
        ServiceSpec httpd = new ServiceSpec("httpd", IMG, List.of("httpd -f -p 8080 -h /www"), List.of("sh", "-c"),
                Map.of("GREETING", "hello", "A", "1"), Map.of("team", "web"),
                List.of(new PortSpec(8080, port, "tcp", "127.0.0.1")),
                List.of(new VolumeSpec("tmpfs", null, "/tmp", false, "16m"),
                        new VolumeSpec("bind", dir.toString(), "/host", true, null),
                        new VolumeSpec("volume", prefix + "vol", "/data", false, null)),
                List.of("back"), "on-failure:3",
                new HealthcheckSpec(List.of("CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"), "1s", "2s", 3, "1s"),
                new ResourcesSpec(0.5, "64m", "32m"), "nobody", true, List.of("NET_ADMIN"), List.of("MKNOD"),
                List.of("no-new-privileges:true"), true, 1);
        ServiceSpec client = new ServiceSpec("client", IMG, LOOP, null, null, null, null, null,
                List.of("back", "front"), "always", null, null, null, null, null, null, null, false, 2);
        StackSpec spec = new StackSpec(new Placement(null, null), List.of(httpd, client),
                List.of(new StackNetwork("back", "bridge", false, null, Map.of("tier", "back")),
                        new StackNetwork("front", null, null, null, null)));

        StackOutcome outcome = assertApplied(reconcile(stack, spec));
        // httpd has a health check: it counts as running once Docker reports it healthy, not when just started.
        assertEquals(Map.of("httpd", new Counts(0, 1), "client", new Counts(2, 2)), outcome.perService());

        InspectContainerResponse c = docker.inspectContainerCmd(stack + "-httpd-1").exec();
        assertEquals(List.of("httpd -f -p 8080 -h /www"), Arrays.asList(c.getConfig().getCmd()));
        assertEquals(List.of("sh", "-c"), Arrays.asList(c.getConfig().getEntrypoint()));
        List<String> env = Arrays.asList(c.getConfig().getEnv());
        assertTrue(env.contains("GREETING=hello") && env.contains("A=1"), env.toString());
        Map<String, String> labels = c.getConfig().getLabels();
        assertEquals("web", labels.get("team"));
        assertEquals(prefix, labels.get(BerthLabels.MANAGED_BY));
        assertEquals("stack/" + stack, labels.get(BerthLabels.OWNER));
        assertEquals("httpd", labels.get(BerthLabels.SERVICE));
        assertEquals("1", labels.get(BerthLabels.REPLICA));
        assertEquals(16, labels.get(BerthLabels.SPEC_HASH).length());
        HostConfig hc = c.getHostConfig();
        Ports.Binding[] bound = hc.getPortBindings().getBindings().get(ExposedPort.tcp(8080));
        assertEquals("127.0.0.1", bound[0].getHostIp());
        assertEquals(Integer.toString(port), bound[0].getHostPortSpec());
        Ports.Binding[] live = c.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(8080));
        assertEquals(Integer.toString(port), live[0].getHostPortSpec());
        Map<String, Mount> mounts = new java.util.HashMap<>();
        hc.getMounts().forEach(m -> mounts.put(m.getTarget(), m));
        assertEquals(MountType.TMPFS, mounts.get("/tmp").getType());
        assertEquals(16L << 20, mounts.get("/tmp").getTmpfsOptions().getSizeBytes());
        assertEquals(MountType.BIND, mounts.get("/host").getType());
        assertEquals(dir.toString(), mounts.get("/host").getSource());
        assertTrue(mounts.get("/host").getReadOnly());
        assertEquals(MountType.VOLUME, mounts.get("/data").getType());
        assertEquals(prefix + "vol", mounts.get("/data").getSource());
        assertEquals("on-failure", hc.getRestartPolicy().getName());
        assertEquals(3, hc.getRestartPolicy().getMaximumRetryCount());
        assertEquals(List.of("CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"), c.getConfig().getHealthcheck().getTest());
        assertEquals(1_000_000_000L, c.getConfig().getHealthcheck().getInterval());
        assertEquals(2_000_000_000L, c.getConfig().getHealthcheck().getTimeout());
        assertEquals(3, c.getConfig().getHealthcheck().getRetries());
        assertEquals(1_000_000_000L, c.getConfig().getHealthcheck().getStartPeriod());
        assertEquals(500_000_000L, hc.getNanoCPUs());
        assertEquals(64L << 20, hc.getMemory());
        assertEquals(32L << 20, hc.getMemoryReservation());
        assertEquals("nobody", c.getConfig().getUser());
        assertTrue(hc.getReadonlyRootfs());
        assertEquals(List.of(Capability.NET_ADMIN), Arrays.asList(hc.getCapAdd()));
        assertEquals(List.of(Capability.MKNOD), Arrays.asList(hc.getCapDrop()));
        assertEquals(List.of("no-new-privileges:true"), hc.getSecurityOpts());
        assertTrue(hc.getInit());
        ContainerNetwork onBack = c.getNetworkSettings().getNetworks().get(stack + "_back");
        assertTrue(onBack.getAliases().contains("httpd"), String.valueOf(onBack.getAliases()));
        assertEquals(List.of(stack + "_back"), List.copyOf(c.getNetworkSettings().getNetworks().keySet()));
        Network back = docker.inspectNetworkCmd().withNetworkId(stack + "_back").exec();
        assertEquals("back", back.getLabels().get(BerthLabels.NETWORK));
        assertEquals("back", back.getLabels().get("tier"));

        InspectContainerResponse client2 = docker.inspectContainerCmd(stack + "-client-2").exec();
        assertEquals(java.util.Set.of(stack + "_back", stack + "_front"),
                client2.getNetworkSettings().getNetworks().keySet());
        assertTrue(client2.getNetworkSettings().getNetworks().get(stack + "_front").getAliases().contains("client"));
        assertEquals("always", client2.getHostConfig().getRestartPolicy().getName());

        // Services reach each other by name.
        DockerTestSupport.ExecResult fetched = null;
        for (int i = 0; i < 20; i++) {
            fetched = DockerTestSupport.exec(docker, stack + "-client-1", "wget", "-q", "-O-", "http://httpd:8080/");
            if (fetched.exitCode() == 0) {
                break;
            }
            Thread.sleep(250);
        }
        assertEquals(0, fetched.exitCode(), fetched.output());
        assertFalse(fetched.output().isBlank());
        assertEquals("hi", DockerTestSupport.exec(docker, stack + "-httpd-1", "cat", "/host/hello.txt").output());

        // Converged: nothing left to do.
        assertEquals(List.of(), StackPlanner.plan(prefix, stack, Optional.of(spec), observe()));

        // Health is read from the list's status text.
        String health = null;
        for (int i = 0; i < 40 && !"healthy".equals(health); i++) {
            Thread.sleep(250);
            health = gateway.listManagedContainers().stream().filter(o -> o.name().equals(stack + "-httpd-1"))
                    .findFirst().map(ObservedContainer::health).orElse(null);
        }
        assertEquals("healthy", health);

        // Deleted: everything goes, containers before networks.
        StackOutcome gone = assertApplied(reconcile(stack, null));
        assertEquals(5, gone.report().done().size(), gone.planned().toString());
        assertTrue(observe().containers().stream().noneMatch(o -> o.name().startsWith(stack)));
        assertTrue(observe().networks().stream().noneMatch(n -> n.name().startsWith(stack)));
    }

    @Test
    void driftIsRepaired() throws Exception {
        String stack = stack("drift");
        StackSpec spec = new StackSpec(null, List.of(simple("web", IMG, LOOP, null, null),
                new ServiceSpec("api", IMG, LOOP, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, true, 2)), null);
        assertApplied(reconcile(stack, spec));
        String web = stack + "-web-1";

        docker.removeContainerCmd(web).withForce(true).exec();
        assertEquals(List.of("create container " + web + " (image " + IMG + ")"), describe(assertApplied(reconcile(stack, spec))));

        docker.stopContainerCmd(stack + "-api-1").withTimeout(5).exec();
        assertEquals(List.of("remove container " + stack + "-api-1 (state exited)",
                "create container " + stack + "-api-1 (image " + IMG + ")"), describe(assertApplied(reconcile(stack, spec))));

        docker.renameContainerCmd(stack + "-api-2").withName(stack + "-hand").exec();
        assertEquals(List.of("remove container " + stack + "-hand (renamed, want " + stack + "-api-2)",
                "create container " + stack + "-api-2 (image " + IMG + ")"), describe(assertApplied(reconcile(stack, spec))));

        String image2 = prefix + "/busybox:2";
        docker.tagImageCmd(IMG, prefix + "/busybox", "2").exec();
        String oldId = docker.inspectContainerCmd(web).exec().getId();
        StackSpec changed = new StackSpec(null, List.of(simple("web", image2, LOOP, null, null), spec.services().get(1)), null);
        assertEquals(List.of("replace container " + web + " (spec changed): create the new one (image " + image2
                        + ") first"), describe(assertApplied(reconcile(stack, changed))));
        InspectContainerResponse now = docker.inspectContainerCmd(web).exec();
        assertTrue(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(web + "-next")).exec().isEmpty());
        assertNotEquals(oldId, now.getId());
        assertEquals(image2, now.getConfig().getImage());
        assertTrue(now.getState().getRunning());

        assertEquals(List.of(), StackPlanner.plan(prefix, stack, Optional.of(changed), observe()));
    }

    @Test
    void crashBetweenCreateAndStartIsRepaired() {
        String stack = stack("crash");
        StackSpec spec = new StackSpec(null, List.of(simple("web", IMG, LOOP, null, null)), null);
        assertApplied(reconcile(stack, spec));
        docker.stopContainerCmd(stack + "-web-1").withTimeout(5).exec();
        // Same plan again straight through the gateway: the existing container is this plan, so it is started.
        var plan = ((StackAction.CreateContainer) StackPlanner.plan(prefix, stack, Optional.of(spec), ObservedStack.empty())
                .stream().filter(a -> a instanceof StackAction.CreateContainer).findFirst().orElseThrow()).plan();
        gateway.createAndStart(plan);
        assertTrue(docker.inspectContainerCmd(stack + "-web-1").exec().getState().getRunning());
    }

    @Test
    void aPassPastItsDeadlineLeavesTheRestToTheNextPass() {
        String stack = stack("late");
        StackSpec spec = new StackSpec(null, List.of(simple("web", IMG, LOOP, null, null)), null);
        java.time.Clock clock = java.time.Clock.systemUTC();
        StackConverger converger = new StackConverger(gateway, clock);
        StackOutcome late = converger.reconcile(stack, Optional.of(spec), observe(),
                dev.berth.reconcilers.Deadline.after(java.time.Duration.ZERO, clock));
        assertEquals(List.of(), late.report().done());
        assertEquals(late.planned(), late.report().deferred().stream().map(d -> d.action()).toList());
        assertEquals(Optional.of(java.time.Duration.ZERO), late.resumeAfter(), "at once, behind the other keys");
        assertFalse(late.converged());
        assertTrue(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(stack + "-web-1")).exec().isEmpty());

        StackOutcome next = assertApplied(converger.reconcile(stack, Optional.of(spec), observe()));
        assertTrue(next.converged(), next.toString());
        assertEquals(Map.of("web", new Counts(1, 1)), next.perService());
    }

    /** Issue 20, defect 1: a change Docker refuses at create never takes the running replica down. */
    @Test
    void aRecreateDockerRefusesAtCreateKeepsTheOldContainerServing() {
        String stack = stack("safe");
        StackSpec spec = new StackSpec(null, List.of(simple("web", IMG, LOOP, null, null)), null);
        assertApplied(reconcile(stack, spec));
        String web = stack + "-web-1";
        String oldId = docker.inspectContainerCmd(web).exec().getId();

        StackOutcome refused = reconcile(stack, new StackSpec(null, List.of(simple("web", IMG, LOOP, null,
                List.of(new VolumeSpec("bind", "/nonexistent/" + prefix, "/x", false, null)))), null));
        assertEquals("BindSourceMissing", refused.report().failure().orElseThrow().reason());
        StackOutcome missing = reconcile(stack, new StackSpec(null, List.of(simple("web",
                prefix + "/does-not-exist:1", LOOP, null, null)), null));
        assertEquals("ImageNotFound", missing.report().failure().orElseThrow().reason());

        InspectContainerResponse still = docker.inspectContainerCmd(web).exec();
        assertEquals(oldId, still.getId(), "the old container is the one that runs");
        assertTrue(still.getState().getRunning());
        assertTrue(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(web + "-next")).exec().isEmpty(),
                "nothing left of the refused replacement");
        assertEquals(Map.of("web", new Counts(0, 1)), missing.perService(), "not running as specified");
    }

    /**
     * What only a start shows (here a host port another container holds): the replacement is removed and the old
     * container started again, under its name, with its port.
     */
    @Test
    void aRecreateWhoseStartFailsStartsTheOldContainerAgain() {
        int mine = freePort();
        int taken = mine + 1;
        assertApplied(reconcile(stack("holder"), new StackSpec(null, List.of(simple("web", IMG, LOOP,
                List.of(new PortSpec(8080, taken, "tcp", null)), null)), null)));
        String stack = stack("restart");
        assertApplied(reconcile(stack, new StackSpec(null, List.of(simple("web", IMG, LOOP,
                List.of(new PortSpec(8080, mine, "tcp", null)), null)), null)));
        String web = stack + "-web-1";
        String oldId = docker.inspectContainerCmd(web).exec().getId();

        StackOutcome o = reconcile(stack, new StackSpec(null, List.of(simple("web", IMG, LOOP,
                List.of(new PortSpec(8080, taken, "tcp", null)), null)), null));
        assertEquals("PortInUse", o.report().failure().orElseThrow().reason(), o.report().failure().get().message());
        assertTrue(o.report().failure().get().message().contains(web + " keeps running the previous spec"),
                o.report().failure().get().message());
        InspectContainerResponse still = docker.inspectContainerCmd(web).exec();
        assertEquals(oldId, still.getId());
        assertTrue(still.getState().getRunning());
        assertTrue(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(web + "-next")).exec().isEmpty());
    }

    @Test
    void missingImageIsImageNotFound() {
        String stack = stack("noimg");
        StackOutcome o = reconcile(stack, new StackSpec(null,
                List.of(simple("web", prefix + "/does-not-exist:1", LOOP, null, null)), null));
        assertEquals("ImageNotFound", o.report().failure().orElseThrow().reason());
        assertTrue(o.report().failure().get().message().contains("imagePullPolicy: Never"));
        assertEquals(Map.of("web", new Counts(0, 1)), o.perService());
    }

    @Test
    void takenPortIsPortInUse() {
        int port = freePort();
        List<PortSpec> ports = List.of(new PortSpec(8080, port, "tcp", null));
        assertApplied(reconcile(stack("porta"), new StackSpec(null, List.of(simple("web", IMG, LOOP, ports, null)), null)));
        StackOutcome o = reconcile(stack("portb"), new StackSpec(null, List.of(simple("web", IMG, LOOP, ports, null)), null));
        assertEquals("PortInUse", o.report().failure().orElseThrow().reason(), o.report().failure().get().message());
    }

    @Test
    void missingBindSourceIsBindSourceMissing() {
        StackOutcome o = reconcile(stack("bind"), new StackSpec(null, List.of(simple("web", IMG, LOOP, null,
                List.of(new VolumeSpec("bind", "/nonexistent/" + prefix, "/x", false, null)))), null));
        assertEquals("BindSourceMissing", o.report().failure().orElseThrow().reason(),
                o.report().failure().get().message());
    }

    @Test
    void unlabelledContainerIsNeverListedNorTouched() {
        String stack = stack("foreign");
        String foreignName = stack + "-web-1";
        String foreignId = docker.createContainerCmd(IMG).withName(foreignName).withCmd(LOOP)
                .withLabels(Map.of(TEST_LABEL, prefix, BerthLabels.OWNER, "stack/" + stack, BerthLabels.SERVICE, "web",
                        BerthLabels.REPLICA, "1"))
                .withHostConfig(HostConfig.newHostConfig().withInit(true)).exec().getId();
        docker.startContainerCmd(foreignId).exec();
        docker.createNetworkCmd().withName(stack + "_default").withLabels(Map.of(TEST_LABEL, prefix)).exec();

        assertTrue(gateway.listManagedContainers().stream().noneMatch(c -> c.id().equals(foreignId)));
        assertTrue(gateway.listManagedNetworks().stream().noneMatch(n -> n.name().equals(stack + "_default")));

        StackOutcome o = reconcile(stack, new StackSpec(null, List.of(simple("web", IMG, LOOP, null, null)), null));
        assertEquals("NameConflict", o.report().failure().orElseThrow().reason());
        assertApplied(reconcile(stack, null));
        InspectContainerResponse still = docker.inspectContainerCmd(foreignId).exec();
        assertTrue(still.getState().getRunning());
        assertEquals(foreignName, still.getName().substring(1));
    }

    @Test
    void eventsReportManagedObjectsOnly() throws Exception {
        String stack = stack("events");
        List<DockerEvent> events = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Closeable stream = gateway.events(java.time.Instant.now(), events::add, errors::add);
        try {
            docker.createNetworkCmd().withName(prefix + "-foreign").withLabels(Map.of(TEST_LABEL, prefix)).exec();
            assertApplied(reconcile(stack, new StackSpec(null, List.of(simple("web", IMG, LOOP, null, null)), null)));
            long deadline = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < deadline && events.stream().noneMatch(e -> e.action().equals("start"))) {
                Thread.sleep(50);
            }
        } finally {
            stream.close();
        }
        assertEquals(List.of(), errors);
        assertTrue(events.stream().anyMatch(e -> e.type().equals("container") && e.action().equals("start")
                && (stack + "-web-1").equals(e.attributes().get("name"))), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.type().equals("network") && e.action().equals("create")
                && (stack + "_default").equals(e.attributes().get("name"))), events.toString());
        assertTrue(events.stream().noneMatch(e -> (prefix + "-foreign").equals(e.attributes().get("name"))),
                events.toString());
        assertEquals(events.size(), events.stream().distinct().count());
    }

    private static List<String> describe(StackOutcome o) {
        return o.planned().stream().map(StackAction::describe).toList();
    }
}
