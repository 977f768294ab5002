package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test registry on a bed's root underlay IP: the dockerds in the bed's namespaces reach it, trust its CA
 * (certs.d is shared through the root mount namespace), push to it and pull from it, and get a real registry's
 * refusals (no loopback plain-HTTP fallback there).
 */
@RunsOnOwnHosts
class TestRegistryBedTest {
    @TempDir
    Path tmp;

    @Test
    void bedHostsPushToAndPullFromARegistryOnTheUnderlay() throws Exception {
        String repo = TestEnv.uniqueName("reg-bed/app");
        try (OverlayTestBed bed = new OverlayTestBed(3); TestRegistry registry = TestRegistry.start(bed.rootIpUp())) {
            assertEquals(bed.rootIp(), registry.host().substring(0, registry.host().indexOf(':')));
            // No operator runs here, so the bed's close() makes this JVM's first etcd call: warm it (slow under load).
            Await.until(Duration.ofSeconds(90), "etcd answers", () -> bed.etcd.kv.get(bed.etcd.prefix + "/warm").isEmpty());
            String ref = registry.host() + "/" + repo + ":1";
            // Built and pushed from inside host 1's namespace.
            String digest = registry.pushNew(bed.hosts.get(0).dockerd.host(), repo + ":1");

            for (OverlayTestBed.Host host : bed.hosts) {
                DockerCli cli = TestRegistryTest.loggedIn(registry, host.dockerd.host(),
                        Files.createDirectories(tmp.resolve(host.netns)));
                DockerCli.Result pulled = cli.run("pull", ref);
                assertTrue(pulled.ok(), host.netns + ": " + pulled.out());
                assertTrue(pulled.out().contains(digest), host.netns + " pulled the pushed digest: " + pulled.out());
            }

            String second = bed.hosts.get(1).dockerd.host();
            DockerCli anonymous = new DockerCli(second, Files.createDirectories(tmp.resolve("anonymous")));
            DockerCli.Result refused = anonymous.run("pull", registry.host() + "/" + repo + ":missing");
            assertFalse(refused.ok(), refused.out());
            assertTrue(refused.out().contains("no basic auth credentials"), refused.out());

            Instant before = Instant.now();
            DockerCli.Result wrong = TestRegistryTest.wrongPassword(registry, bed.hosts.get(2).dockerd.host(),
                    Files.createDirectories(tmp.resolve("wrong"))).run("pull", ref);
            assertFalse(wrong.ok(), wrong.out());
            assertTrue(wrong.out().contains("unauthorized: authentication required"), wrong.out());
            List<Instant> unauthorized = registry.unauthorizedAt();
            assertEquals(1, unauthorized.stream().filter(at -> at.isAfter(before.minusSeconds(1))).count(),
                    "one refused attempt for the wrong password: " + unauthorized);
        }
    }
}
