package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The deployment files grant what charts/README.md says and no more: the operator on the host network with only
 * NET_ADMIN and NET_BIND_SERVICE (DNS on port 53) and no Docker socket, the socket proxy running the repository's
 * socket-proxy.cfg (its rules checked by reliability/SocketProxy*Test) with exec and privileged off, and the systemd unit bounding
 * capabilities to those two.
 */
class DeployFilesTest {
    private final Path charts = Tools.charts();

    @Test
    void composeGivesTheOperatorOnlyWhatItNeeds() throws Exception {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(charts.resolve("deploy/compose.yaml").toFile())
                .path("services");
        assertTrue(services.has("etcd") && services.has("prometheus") && services.has("traefik"), services.toString());
        JsonNode berth = services.path("berth");
        assertEquals("host", berth.path("network_mode").asText());
        assertEquals("[\"ALL\"]", berth.path("cap_drop").toString());
        assertEquals("[\"NET_ADMIN\",\"NET_BIND_SERVICE\",\"CHOWN\"]", berth.path("cap_add").toString());
        assertTrue(berth.path("read_only").asBoolean());
        assertFalse(berth.toString().contains("docker.sock"), "the operator gets the proxy, never the socket");
        assertFalse(berth.path("privileged").asBoolean(false));

        JsonNode proxy = services.path("docker-proxy");
        assertTrue(proxy.path("image").asText().matches("haproxy:\\d+\\.\\d+\\.\\d+"),
                "the official haproxy image, pinned: " + proxy.path("image"));
        assertTrue(proxy.path("volumes").toString().contains("./socket-proxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"),
                "runs the repository's socket-proxy.cfg: " + proxy.path("volumes"));
        assertEquals("[\"127.0.0.1:2375:2375\"]", proxy.path("ports").toString(), "loopback only");
        assertEquals("[\"ALL\"]", proxy.path("cap_drop").toString());
        JsonNode env = proxy.path("environment");
        assertEquals("0", env.path("BERTH_EXEC").asText(), "berth exec is opt-in");
        assertEquals("0", env.path("BERTH_PRIVILEGED").asText(), "privileged containers are opt-in");
        String cfg = Files.readString(charts.resolve("deploy/socket-proxy.cfg"));
        env.fieldNames().forEachRemaining(name ->
                assertTrue(cfg.contains("${" + name + "-") || cfg.contains("env(" + name + ")"),
                        name + " is not a setting of socket-proxy.cfg"));
        String doc = Files.readString(charts.resolve("deploy/socket-proxy.md"));
        env.fieldNames().forEachRemaining(name -> assertTrue(doc.contains(name), name + " undocumented in socket-proxy.md"));
    }

    @Test
    void systemdUnitBoundsCapabilitiesToNetAdmin() throws Exception {
        String unit = Files.readString(charts.resolve("deploy/berth.service"));
        assertTrue(unit.contains("\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_CHOWN\n"), unit);
        assertTrue(unit.contains("\nAmbientCapabilities=CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_CHOWN\n"));
        assertTrue(unit.contains("\nNoNewPrivileges=yes\n"));
        assertTrue(unit.contains("\nUser=berth\n"));
        assertFalse(unit.contains("PrivateNetwork=yes"), "overlays need the host's network namespace");
        assertTrue(unit.contains("operator"), "runs `berth operator`");
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (Files.isExecutable(analyze)) { // systemd's own check of the unit's syntax, where systemd is installed
            Process p = new ProcessBuilder(analyze.toString(), "verify", charts.resolve("deploy/berth.service").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertFalse(out.contains("berth.service:"), "systemd-analyze verify: " + out);
        }
    }

    @Test
    void everyWayToRunTheOperatorUsesTheLaunchersJvmSettings() throws Exception {
        Path root = charts.getParent();
        String launcher = Files.readString(root.resolve("bin/berth"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\noperator_jvm_defaults=\"([^\"]+)\"\n")
                .matcher(launcher);
        assertTrue(m.find(), "bin/berth names its operator JVM settings");
        String flags = m.group(1);
        assertTrue(launcher.contains("MALLOC_ARENA_MAX:-2"), "the launcher holds glibc's malloc to 2 arenas");
        String unit = Files.readString(charts.resolve("deploy/berth.service"));
        assertTrue(unit.contains("\nExecStart=/usr/bin/java " + flags + " -jar /opt/berth/berth.jar operator\n"), unit);
        assertTrue(unit.contains("\nEnvironment=MALLOC_ARENA_MAX=2\n"), unit);
        String dockerfile = Files.readString(charts.resolve("deploy/Dockerfile"));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/berth\"]"), "the image runs the launcher");
        assertFalse(dockerfile.contains("BERTH_JAVA_OPTS=") || dockerfile.contains("BERTH_OPERATOR_JVM="),
                "the image keeps the launcher's settings");
        for (String line : Files.readString(root.resolve("docs/multi-host.md")).split("\n")) {
            if (line.startsWith("ExecStart=/usr/bin/java")) {
                assertTrue(line.startsWith("ExecStart=/usr/bin/java " + flags + " -jar "), "docs/multi-host.md: " + line);
            }
        }
    }
}
