package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.Manifest;
import dev.berth.operator.Operator;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.TestRegistry;
import dev.berth.operator.images.ImagePin;
import dev.berth.operator.images.ImagePinStore;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Swarm's digest pinning on three Docker hosts (a dockerd per network namespace, one etcd), pulling from a real
 * registry on the bed's underlay: the first host to resolve a tag pins its digest and every host runs it; a tag pushed
 * again while the stack runs changes nothing (not even for a container re-created after it was removed by hand) until
 * the stack changes — then every host moves to the new digest. Checked the way a person would: each host's Docker.
 */
@RunsOnOwnHosts
class ImagePinsBedTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void everyHostRunsThePinnedDigestUntilTheStackChanges() throws Exception {
        Path keyFile = Files.createTempFile("berth-key-", ".txt",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        keyFile.toFile().deleteOnExit();
        Files.writeString(keyFile, SecretKeyring.newKeyLine() + "\n");
        SecretKeyring keyring = SecretKeyring.load(keyFile);
        try (OverlayTestBed bed = new OverlayTestBed(3)) {
            // The registry listens on the root namespace's address on the underlay, which every host reaches.
            OverlayTestBed.run("ip", "addr", "add", bed.rootIp() + "/24", "dev", bed.bridge);
            try (TestRegistry registry = TestRegistry.start(bed.rootIp())) {
                for (OverlayTestBed.Host host : bed.hosts) {
                    host.harness = TestOperator.builder().etcd(bed.etcd).dockerHost(host.dockerd.host())
                            .underlay(new Operator.Underlay(Optional.of("ul0"), Optional.empty(),
                                    Optional.of(host.netns)))
                            .routes(bed.traefikRoot(), null).secretKeyFile(keyFile).build();
                    host.harness.start();
                }
                String repo = TestEnv.uniqueName("pin");
                String image = registry.host() + "/" + repo + ":1";
                String first = registry.push(TestEnv.dockerHost(), TestEnv.testImage(), repo + ":1");
                String secretName = "reg" + bed.id;
                apply(bed, Manifest.of("Secret", secretName, """
                        type: Registry
                        registry: "%s"
                        encryptedData:
                          username: "%s"
                          password: "%s"
                        """.formatted(registry.host(),
                        keyring.encrypt(secretName, "username", registry.username().getBytes(StandardCharsets.UTF_8)),
                        keyring.encrypt(secretName, "password", registry.password().getBytes(StandardCharsets.UTF_8)))));
                String s = "pins" + bed.id;
                StackYaml stack = StackYaml.stack(s).placement("{maxPerHost: 1}").image(image).replicas(3);
                apply(bed, stack.yaml());

                String pinned = registry.host() + "/" + repo + "@" + first;
                awaitEveryHostRuns(bed, s, pinned);
                Map<String, String> ids = containerIds(bed, s);
                Map<String, String> imageIds = imageIds(bed, s);
                assertEquals(1, new java.util.HashSet<>(imageIds.values()).size(), "one image everywhere: " + imageIds);
                ImagePin pin = new ImagePinStore(bed.etcd.kv, bed.etcd.keys).read(s).get("web");
                assertEquals(pinned, pin.ref());

                // The tag moves while the stack runs: every host keeps the pinned digest.
                String second = registry.pushNew(TestEnv.dockerHost(), repo + ":1");
                assertNotEquals(first, second);
                OverlayTestBed.Host removed = bed.hosts.get(1);
                Container gone = removed.harness.containers(s).get(0);
                removed.harness.docker.removeContainerCmd(gone.getId()).withForce(true).exec();
                Await.until(WAIT, "the removed replica re-created on " + removed.harness.host,
                        () -> removed.harness.isReady(s, 1)
                                && !removed.harness.containers(s).get(0).getId().equals(gone.getId()),
                        () -> removed.harness.describeStatus(s));
                awaitEveryHostRuns(bed, s, pinned);
                Map<String, String> after = containerIds(bed, s);
                for (OverlayTestBed.Host host : bed.hosts) {
                    if (host != removed) {
                        assertEquals(ids.get(host.harness.host), after.get(host.harness.host),
                                "the other replicas are untouched on " + host.harness.host);
                    }
                }
                assertEquals(pin, new ImagePinStore(bed.etcd.kv, bed.etcd.keys).read(s).get("web"),
                        "the pin holds while the stack is unchanged");

                // The stack changes (its image field: a new pin generation): every host moves to the new digest.
                String third = registry.pushNew(TestEnv.dockerHost(), repo + ":2");
                apply(bed, StackYaml.stack(s).placement("{maxPerHost: 1}").image(registry.host() + "/" + repo + ":2")
                        .replicas(3).yaml());
                String moved = registry.host() + "/" + repo + "@" + third;
                awaitEveryHostRuns(bed, s, moved);
                assertEquals(1, new java.util.HashSet<>(imageIds(bed, s).values()).size());
                assertNotEquals(imageIds.values().iterator().next(), imageIds(bed, s).values().iterator().next());

                // The tag moves again, pushed from elsewhere (the host that resolved ":2" still has the old image under
                // that tag): berth restart asks the registry, and every host moves to what the tag names now.
                String fourth = registry.pushNew(TestEnv.dockerHost(), repo + ":2");
                assertNotEquals(third, fourth);
                apply(bed, StackYaml.stack(s).metadata("annotations: {" + dev.berth.crds.stack.StackAnnotations.RESTARTED_AT
                        + ": \"2026-12-02T09:00:00Z\"}").placement("{maxPerHost: 1}")
                        .image(registry.host() + "/" + repo + ":2").replicas(3).yaml());
                awaitEveryHostRuns(bed, s, registry.host() + "/" + repo + "@" + fourth);
            }
        }
    }

    /** Each host runs one Ready replica of the stack, on exactly {@code ref}. */
    private static void awaitEveryHostRuns(OverlayTestBed bed, String stack, String ref) {
        Await.until(WAIT, "every host runs " + ref, () -> bed.hosts.stream().allMatch(h -> h.harness.isReady(stack, 1)
                && ref.equals(imageOf(h, h.harness.containers(stack).get(0)))), () -> everywhere(bed, stack));
    }

    private static String imageOf(OverlayTestBed.Host host, Container c) {
        return host.harness.docker.inspectContainerCmd(c.getId()).exec().getConfig().getImage();
    }

    private static Map<String, String> containerIds(OverlayTestBed bed, String stack) {
        Map<String, String> ids = new TreeMap<>();
        bed.hosts.forEach(h -> ids.put(h.harness.host, h.harness.containers(stack).get(0).getId()));
        return ids;
    }

    /** The image id each host's replica runs (the content: same id means same image). */
    private static Map<String, String> imageIds(OverlayTestBed bed, String stack) {
        Map<String, String> ids = new TreeMap<>();
        bed.hosts.forEach(h -> ids.put(h.harness.host, h.harness.docker.inspectContainerCmd(
                h.harness.containers(stack).get(0).getId()).exec().getImageId()));
        return ids;
    }

    private static String everywhere(OverlayTestBed bed, String stack) {
        StringBuilder text = new StringBuilder();
        for (OverlayTestBed.Host h : bed.hosts) {
            text.append(h.harness.host).append(": ").append(h.harness.describeStatus(stack)).append(' ')
                    .append(h.harness.containers(stack).stream().map(c -> imageOf(h, c)).toList()).append('\n');
        }
        return text.toString();
    }

    /** Like `berth apply`; retried while the shared etcd is too slow to answer (a busy test machine). */
    private static void apply(OverlayTestBed bed, String yaml) {
        Await.until(WAIT, "manifest stored", () -> {
            try {
                bed.hosts.get(0).harness.apply(yaml);
                return true;
            } catch (StoreException e) {
                return false;
            }
        });
    }
}
