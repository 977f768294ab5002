package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.labels.BerthLabels;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator converging real containers on the real dockerd, from stacks in the real etcd. */
class StackOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final TestOperator h = TestOperator.create();

    private static Set<String> ids(List<Container> containers) {
        return containers.stream().map(Container::getId).collect(Collectors.toSet());
    }

    @Test
    void createScaleUpdateAndDelete() {
        String s = h.name("web");
        h.apply(StackYaml.stack(s).with("env: {GREETING: hello}").yaml());
        h.awaitReady(s, 1);
        Container c = h.containers(s).get(0);
        assertEquals("/" + s + "-web-1", c.getNames()[0]);
        assertEquals(h.instance, c.getLabels().get(BerthLabels.MANAGED_BY));
        assertEquals("stack/" + s, c.getLabels().get(BerthLabels.OWNER));
        assertEquals("web", c.getLabels().get(BerthLabels.SERVICE));
        assertTrue(c.getLabels().containsKey(BerthLabels.SPEC_HASH));
        ObjectStatus status = h.status(s).orElseThrow();
        assertEquals(h.revision(s), status.observedRevision());
        assertEquals(1, status.services().get("web").running());

        h.apply(StackYaml.stack(s).replicas(3).with("env: {GREETING: hello}").yaml());
        h.awaitReady(s, 3);
        Set<String> scaled = ids(h.containers(s));
        assertTrue(scaled.contains(c.getId()), "scaling up keeps the existing replica");

        h.apply(StackYaml.stack(s).replicas(3).with("env: {GREETING: changed}").yaml());
        Await.until(WAIT, "all replicas replaced after the env change",
                () -> h.isReady(s, 3) && ids(h.containers(s)).stream().noneMatch(scaled::contains), () -> h.describeStatus(s));
        InspectContainerResponse inspect = h.docker.inspectContainerCmd(h.containers(s).get(0).getId()).exec();
        assertTrue(Arrays.asList(inspect.getConfig().getEnv()).contains("GREETING=changed"));

        h.apply(StackYaml.stack(s).command("httpd", "-f", "-p", "9090", "-h", "/www").replicas(1)
                .with("env: {GREETING: changed}").yaml());
        Await.until(WAIT, "scaled down to one replica with the new command", () -> h.isReady(s, 1)
                && List.of(h.docker.inspectContainerCmd(h.containers(s).get(0).getId()).exec().getConfig().getCmd()).contains("9090"),
                () -> h.describeStatus(s));

        h.delete(s);
        Await.until(WAIT, "containers, networks and status removed after delete", () -> h.containers(s).isEmpty()
                && h.docker.listNetworksCmd().withFilter("label", List.of(BerthLabels.OWNER + "=stack/" + s)).exec().isEmpty()
                && h.status(s).isEmpty(), () -> h.describeStatus(s));
    }

    @Test
    void driftIsRepaired() {
        String s = h.name("drift");
        h.apply(StackYaml.stack(s).replicas(3).yaml());
        h.awaitReady(s, 3);
        List<Container> cs = h.containers(s).stream().sorted((a, b) -> a.getNames()[0].compareTo(b.getNames()[0])).toList();
        h.docker.removeContainerCmd(cs.get(0).getId()).withForce(true).exec();
        h.docker.stopContainerCmd(cs.get(1).getId()).withTimeout(1).exec();
        h.docker.renameContainerCmd(cs.get(2).getId()).withName(s + "-renamed").exec();
        Await.until(WAIT, "removed, stopped and renamed containers put back", () -> h.isReady(s, 3)
                && h.containers(s).stream().map(c -> c.getNames()[0]).sorted().toList()
                .equals(List.of("/" + s + "-web-1", "/" + s + "-web-2", "/" + s + "-web-3")), () -> h.describeStatus(s));
        assertTrue(h.metric("berth_reconcile_total", "controller=\"stack\"", "result=\"success\"") > 0);
    }

    @Test
    void placementDecidesWhereAStackRuns() {
        String s = h.name("placed");
        h.apply(StackYaml.stack(s).onHosts(List.of("some-other-host")).yaml());
        String other = h.name("here");
        h.apply(StackYaml.stack(other).onHosts(List.of(h.host)).yaml());
        h.awaitReady(other, 1);
        // Replicated: this host learns that it runs nothing of s from the scheduler's decision, not at once.
        Await.until(WAIT, "the scheduler decided s: nothing of it here, and no status from this host",
                () -> h.etcd.kv.get(h.keys().assignment(s)).isPresent() && h.status(s).isEmpty(), () -> h.describeStatus(s));
        assertTrue(h.containers(s).isEmpty(), "a stack placed elsewhere does not run here");

        h.apply(StackYaml.stack(s).onHosts(List.of(h.host)).yaml());
        h.awaitReady(s, 1);
        h.apply(StackYaml.stack(s).placement("{hostSelector: {role: db}}").yaml());
        Await.until(WAIT, "containers removed once the stack is placed elsewhere",
                () -> h.containers(s).isEmpty() && h.status(s).isEmpty(), () -> h.describeStatus(s));
        assertEquals(1, h.running(other).size());
    }

    /** Global mode needs no scheduler: the host's own placement check decides, as before issue 14. */
    @Test
    void globalPlacementDecidesWhereAStackRunsOnItsOwn() {
        String s = h.name("gplaced");
        h.apply(StackYaml.stack(s).global().onHosts(List.of("some-other-host")).yaml());
        String other = h.name("ghere");
        h.apply(StackYaml.stack(other).global().onHosts(List.of(h.host)).replicas(2).yaml());
        h.awaitReady(other, 2);
        assertTrue(h.containers(s).isEmpty() && h.status(s).isEmpty(), "a global stack placed elsewhere: nothing here");
        assertTrue(h.etcd.kv.get(h.keys().assignment(other)).isEmpty(), "a global stack has no assignment");

        h.apply(StackYaml.stack(s).global().placement("{hostSelector: {role: db}}").yaml());
        h.apply(StackYaml.stack(other).global().placement("{hostSelector: {role: db}}").replicas(2).yaml());
        Await.until(WAIT, "containers removed once the global stack selects other hosts",
                () -> h.containers(other).isEmpty() && h.status(other).isEmpty(), () -> h.describeStatus(other));
    }

    @Test
    void garbageWrittenStraightIntoEtcdIsDegradedAndKeepsWhatRuns() {
        String bad = h.name("bad");
        String good = h.name("good");
        h.apply(StackYaml.stack(bad).yaml());
        h.apply(StackYaml.stack(good).yaml());
        h.awaitReady(bad, 1);
        h.awaitReady(good, 1);
        String running = h.containers(bad).get(0).getId();

        h.etcd.kv.put(h.keys().desired("stack", bad), "apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: " + bad
                + "\nspec:\n  services:\n    - name: web\n      image: x\n      cpus: [\n");
        Await.until(WAIT, "status Degraded/InvalidSpec", () -> h.degradedReason(bad).equals(java.util.Optional.of("InvalidSpec")),
                () -> h.describeStatus(bad));
        String message = h.status(bad).orElseThrow().condition("Degraded").orElseThrow().message();
        assertTrue(message.matches(".*/v1/stack/" + bad + ":\\d+:\\d+: .*"), "line and column: " + message);

        h.apply(StackYaml.stack(good).replicas(2).yaml());
        h.awaitReady(good, 2);
        assertEquals(List.of(running), h.containers(bad).stream().map(Container::getId).toList(),
                "the invalid stack's container is kept, untouched");
    }

    @Test
    void missingImageIsDegradedRetriedWithBackoffAndRecovers() throws Exception {
        String s = h.name("img");
        String image = "berth-test/" + h.instance + ":1";
        // Never: what the host has or ImageNotFound (the default, IfNotPresent, would pull: see ImagePullTest).
        h.apply(StackYaml.stack(s).image(image).with("imagePullPolicy: Never").yaml());
        Await.until(WAIT, "Degraded/ImageNotFound", () -> h.degradedReason(s).equals(java.util.Optional.of("ImageNotFound")),
                () -> h.describeStatus(s));
        assertTrue(h.status(s).orElseThrow().condition("Degraded").orElseThrow().message().contains(image));
        double errorsBefore = h.metric("berth_reconcile_total", "controller=\"stack\"", "result=\"error\"");
        double resyncsBefore = h.metric("berth_resyncs_total");
        Await.until(WAIT, "three resync periods to pass", () -> h.metric("berth_resyncs_total") >= resyncsBefore + 3);
        double attempts = h.metric("berth_reconcile_total", "controller=\"stack\"", "result=\"error\"") - errorsBefore;
        assertTrue(attempts >= 1 && attempts <= 8, "retried with growing delays, not in a hot loop: " + attempts + " attempts");

        String[] parts = image.split(":");
        h.docker.tagImageCmd(TestEnv.testImage(), parts[0], parts[1]).exec();
        try {
            h.awaitReady(s, 1);
            assertFalse(h.degradedReason(s).isPresent());
        } finally {
            h.containers(s).forEach(c -> h.docker.removeContainerCmd(c.getId()).withForce(true).exec());
            h.docker.removeImageCmd(image).withForce(true).exec();
        }
    }

    @Test
    void takenPortAndMissingBindSourceAreDegradedWithDockersReason() throws Exception {
        int port;
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = taken.getLocalPort();
            String s = h.name("port");
            h.apply(StackYaml.stack(s).with("ports: [{target: 8080, published: " + port + ", hostIp: 127.0.0.1}]").yaml());
            Await.until(WAIT, "Degraded/PortInUse", () -> h.degradedReason(s).equals(java.util.Optional.of("PortInUse")),
                    () -> h.describeStatus(s));
        }
        String b = h.name("bind");
        h.apply(StackYaml.stack(b).with("volumes: [{type: bind, source: /nonexistent/" + h.instance + ", target: /data}]").yaml());
        Await.until(WAIT, "Degraded/BindSourceMissing", () -> h.degradedReason(b).equals(java.util.Optional.of("BindSourceMissing")),
                () -> h.describeStatus(b));
        assertTrue(h.status(b).orElseThrow().condition("Degraded").orElseThrow().message().contains("/nonexistent/" + h.instance));
    }

    @Test
    void foreignContainersAreUntouchedAndOrphansOfThisInstanceAreRemoved() {
        String never = h.name("never");
        // Carries the test's own label (not Berth's), so the test can find and remove it whatever happens.
        String unlabelled = h.docker.createContainerCmd(TestEnv.testImage()).withName(h.instance + "-foreign")
                .withCmd("sleep", "600").withLabels(Map.of(BerthLabels.OWNER, "stack/" + never, "berth-test", h.instance))
                .exec().getId();
        try {
            h.docker.startContainerCmd(unlabelled).exec();
            String orphan = h.docker.createContainerCmd(TestEnv.testImage()).withName(h.instance + "-orphan")
                    .withCmd("sleep", "600").withLabels(Map.of(BerthLabels.MANAGED_BY, h.instance, BerthLabels.OWNER, "stack/" + never))
                    .exec().getId();
            Await.until(WAIT, "the orphan with Berth's managed-by label removed",
                    () -> h.docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(orphan)).exec().isEmpty());
            double resyncs = h.metric("berth_resyncs_total");
            Await.until(WAIT, "two more full resyncs after that", () -> h.metric("berth_resyncs_total") >= resyncs + 2);
            assertEquals("running", h.docker.inspectContainerCmd(unlabelled).exec().getState().getStatus(),
                    "a container without the managed-by label is never touched");
        } finally {
            h.docker.removeContainerCmd(unlabelled).withForce(true).exec();
        }
    }

    @Test
    void aStackNamingANetworkThatDoesNotExistSaysSo() {
        String s = h.name("nonet");
        h.apply(StackYaml.stack(s).networks("nosuchnet").yaml());
        Await.until(WAIT, "Degraded/NetworkNotFound", () -> h.degradedReason(s).equals(java.util.Optional.of("NetworkNotFound")),
                () -> h.describeStatus(s));
        assertTrue(h.status(s).orElseThrow().condition("Degraded").orElseThrow().message().contains("nosuchnet"));
        assertTrue(h.containers(s).isEmpty());
    }

    @Test
    void metricsAndHealthEndpoints() throws Exception {
        String s = h.name("m");
        h.apply(StackYaml.stack(s).yaml());
        h.awaitReady(s, 1);
        HttpResponse<String> metrics = h.http("/metrics");
        assertEquals(200, metrics.statusCode());
        for (String name : List.of("berth_reconcile_total{controller=\"stack\",result=\"success\"}",
                "berth_reconcile_time_seconds_bucket{controller=\"stack\"", "berth_workqueue_depth{name=\"stack\"}",
                "berth_workqueue_adds_total{name=\"stack\"}", "berth_workqueue_retries_total{name=\"stack\"}",
                "berth_workqueue_queue_duration_seconds_bucket", "berth_workqueue_work_duration_seconds_bucket",
                "berth_build_info{version=\"test\"}", "jvm_memory_used_bytes")) {
            assertTrue(metrics.body().contains(name), "missing " + name);
        }
        assertFalse(metrics.body().contains(h.containers(s).get(0).getId().substring(0, 12)), "no container ids in labels");
        assertEquals(200, h.http("/healthz").statusCode());
        HttpResponse<String> ready = h.http("/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("[+] etcd ok"), ready.body());
    }

    @Test
    void statusIsWrittenOnlyWhenItChanges() {
        String s = h.name("quiet");
        h.apply(StackYaml.stack(s).yaml());
        h.awaitReady(s, 1);
        Await.until(WAIT, "Progressing=False", () -> h.status(s).flatMap(st -> st.condition("Progressing"))
                .map(c -> !c.isTrue()).orElse(false));
        // The replica's start time comes from an inspect, which a busy Docker (over 20 containers changed at once:
        // ContainerRuns' cap) may leave to a follow-up list: a row that gains it is a change, and is written.
        Await.until(WAIT, "the replica's start time in status", () -> h.status(s)
                .map(st -> st.replicas() != null && !st.replicas().isEmpty()
                        && st.replicas().stream().allMatch(r -> r.startedAt() != null))
                .orElse(false));
        StoredValue before = h.etcd.kv.get(h.keys().status("stack", s, h.host)).orElseThrow();
        long statusRevision = before.modRevision();
        double resyncs = h.metric("berth_resyncs_total");
        Await.until(WAIT, "two more resyncs", () -> h.metric("berth_resyncs_total") >= resyncs + 2);
        StoredValue after = h.etcd.kv.get(h.keys().status("stack", s, h.host)).orElseThrow();
        // Both values in the message: a write says what changed.
        assertEquals(statusRevision, after.modRevision(), "no write when nothing changed; before: " + before.value()
                + "\nafter: " + after.value());
        assertNotEquals(0, statusRevision);
    }
}
