package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The deployment files grant what charts/README.md says and no more: the operator on the host network with only
 * NET_ADMIN and NET_BIND_SERVICE (DNS on port 53) and no Docker socket, the socket proxy opening exactly the sections
 * socket-proxy.md lists (names checked against the proxy's own haproxy.cfg), and the systemd unit bounding
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

        JsonNode proxy = services.path("docker-proxy").path("environment");
        Set<String> enabled = new TreeSet<>();
        proxy.fields().forEachRemaining(e -> {
            if (e.getValue().asText().equals("1")) {
                enabled.add(e.getKey());
            }
        });
        assertEquals(Set.of("BUILD", "CONTAINERS", "EVENTS", "EXEC", "IMAGES", "INFO", "NETWORKS", "PING", "POST"), enabled);
        String cfg = Files.readString(dev.berth.operator.SharedReference.dir("socket-proxy", "haproxy.cfg").resolve("haproxy.cfg"));
        proxy.fieldNames().forEachRemaining(name ->
                assertTrue(cfg.contains("env(" + name + ")"), name + " is not a variable of the proxy's haproxy.cfg"));
        String doc = Files.readString(charts.resolve("deploy/socket-proxy.md"));
        enabled.forEach(name -> assertTrue(doc.contains("`" + name + "=1`"), name + " undocumented in socket-proxy.md"));
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
}
