package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, defects 1 and 2: what Docker would refuse at create or start (or, for hostIp, silently widen) is an
 * error at apply, at the field's line and column, with the value shown safely; the forms Docker takes stay valid.
 */
class DockerValuesChecksTest {

    private static List<String> errors(String yaml) {
        return Manifests.PARSER.parse("x.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    /** A stack whose one service has {@code image: <image>} and {@code extra} lines (indented as its fields). */
    private static String service(String image, String extra) {
        return Manifests.MINIMAL.replace("image: busybox:1", "image: " + image) + extra.indent(6);
    }

    private static String only(String yaml) {
        List<String> errors = errors(yaml);
        assertEquals(1, errors.size(), errors.toString());
        return errors.get(0);
    }

    @Test
    void theIssuesImagesAreRefusedAtTheImageShownSafely() {
        String nul = only(service("\"busybox\\0:1\"", ""));
        assertTrue(nul.startsWith("x.yaml:8:14: spec.services[0].image: \"busybox\\u0000:1\""), nul);
        assertTrue(only(service("'busy box:1'", "")).startsWith("x.yaml:8:14: spec.services[0].image:"));
        assertTrue(only(service("Busybox:1", "")).contains("repository names are lowercase: busybox"));
        String huge = only(service("b" + "x".repeat(100_000), ""));
        assertTrue(huge.startsWith("x.yaml:8:14: spec.services[0].image:"), huge.substring(0, 100));
        assertTrue(huge.length() < 300, "the value is cut, not echoed whole: " + huge.length() + " characters");
        assertTrue(huge.contains("(100001 characters)"), huge);
    }

    @Test
    void cpusBeyondAnyHostAreRefused() {
        assertEquals(List.of("x.yaml:9:25: spec.services[0].resources.cpus: 1.0E308 CPUs is more than a Linux host can "
                + "have (8192); Docker takes at most the host's CPU count"), errors(service("busybox:1", "resources: {cpus: 1e308}")));
    }

    @Test
    void memoryBelowDockersMinimumOrUnderItsReservationIsRefused() {
        assertEquals(List.of(
                "x.yaml:10:17: spec.services[0].resources.memory: a memory limit of 4m is below Docker's minimum of 6m",
                "x.yaml:11:28: spec.services[0].resources.memoryReservation: a memory reservation of 1k is below Docker's minimum of 6m"),
                errors(service("busybox:1", "resources:\n  memory: 4m\n  memoryReservation: 1k\n")));
        assertEquals(List.of("x.yaml:10:17: spec.services[0].resources.memory: the memory limit 64m is below "
                        + "memoryReservation 128m (Docker refuses a limit under the soft limit)"),
                errors(service("busybox:1", "resources:\n  memory: 64m\n  memoryReservation: 128m\n")));
    }

    @Test
    void aUserWithAShellCommandIsRefused() {
        assertEquals(List.of("x.yaml:9:13: spec.services[0].user: \"0:0; rm -rf /\" is not a user: write name or uid, "
                + "optionally :group or :gid (like app, 1000 or 1000:1000)"), errors(service("busybox:1", "user: '0:0; rm -rf /'")));
        assertEquals(List.of("x.yaml:9:13: spec.services[0].user: id 4294967296 is above 2147483647, the largest id a "
                + "container may run as"), errors(service("busybox:1", "user: '4294967296'")));
    }

    @Test
    void aMistypedSecurityOptIsRefused() {
        assertEquals(List.of(
                "x.yaml:9:21: spec.services[0].securityOpt[0]: unknown security option \"no-new-privilege\" (Docker takes "
                        + "no-new-privileges[=true|false], label=..., apparmor=..., seccomp=...)",
                "x.yaml:9:39: spec.services[0].securityOpt[1]: no-new-privileges takes true or false, not \"yes\"",
                "x.yaml:9:64: spec.services[0].securityOpt[2]: seccomp takes unconfined or the profile's JSON itself: "
                        + "Berth passes the value to Docker, which does not read files (only the docker CLI turns a path into the JSON)"),
                errors(service("busybox:1", "securityOpt: [no-new-privilege, 'no-new-privileges:yes', seccomp=/etc/p.json]")));
    }

    @Test
    void aHostIpThatIsNoAddressIsRefused() {
        assertEquals(List.of("x.yaml:9:56: spec.services[0].ports[0].hostIp: \"not-an-ip\" is not an IPv4 or IPv6 address "
                        + "(Docker would publish on every address instead); omit hostIp for all"),
                errors(service("busybox:1", "ports: [{target: 8080, published: 28091, hostIp: not-an-ip}]")));
        assertEquals(1, errors(service("busybox:1", "ports: [{target: 8080, published: 28091, hostIp: localhost}]")).size(),
                "a name is not looked up: only a literal address");
    }

    @Test
    void theFormsDockerTakesStayValid() {
        assertEquals(List.of(), errors(service("registry.example.com:5000/team/app_x.y-z:v1.2-rc_3", """
                user: "1000:1000"
                securityOpt: [no-new-privileges, "no-new-privileges:true", no-new-privileges=false, label=disable,
                  "label:type:container_t", apparmor=unconfined, "apparmor:docker-default", apparmor=/usr/bin/app,
                  seccomp=unconfined,
                  'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']
                ports: [{target: 80, published: 28080, hostIp: 127.0.0.1}, {target: 81, published: 28081, hostIp: "::1"},
                  {target: 82, published: 28082, hostIp: 0.0.0.0}]
                resources: {cpus: 0.5, memory: 6m, memoryReservation: 6m}
                """)));
        // 0 is "no limit" to Docker, also under a reservation
        assertEquals(List.of(), errors(service("busybox:1", "resources:\n  memory: 0\n  memoryReservation: 64m\n")));
        for (String user : List.of("root", "www-data", "postgres:postgres", "0", "_apt", "node:1000", "2147483647", ":", "1000:")) {
            assertEquals(List.of(), errors(service("busybox:1", "user: '" + user + "'")), user);
        }
        for (String image : List.of("nginx", "localhost:5000/a", "ghcr.io/o/r@sha256:" + "a".repeat(64),
                "library/redis:7.2-alpine", "a/b/c/d:latest")) {
            assertEquals(List.of(), errors(service(image, "")), image);
        }
    }
}
