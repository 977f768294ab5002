package dev.berth.crds;

import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.VolumeSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestParserValidTest {

    private static Resource parseOne(String file, String yaml) {
        ParseResult result = Manifests.PARSER.parse(file, yaml);
        assertTrue(result.ok(), () -> "errors: " + result.errors());
        assertEquals(1, result.resources().size());
        return result.resources().get(0);
    }

    @Test
    void webExampleBindsIntoTheRecords() {
        String yaml = Manifests.resource("valid/web.yaml");
        Resource resource = parseOne("web.yaml", yaml);
        assertEquals("berth.dev/v1", resource.apiVersion());
        assertEquals("Stack", resource.kind().kind());
        assertEquals("stack/web", resource.key());
        assertEquals(new ObjectMeta("web", Map.of("app", "web"), Map.of()), resource.metadata());
        assertEquals(yaml, resource.yaml());
        assertEquals(1, resource.line());
        assertEquals("web.yaml", resource.file());

        StackSpec spec = resource.spec(StackSpec.class);
        assertEquals(new Placement(List.of("host-a"), Map.of()), spec.placement());
        assertEquals(List.of(new StackNetwork("front", "bridge", false, null, Map.of())), spec.networks());
        ServiceSpec httpd = spec.services().get(0);
        assertEquals(new ServiceSpec("httpd", "berth-test/busybox:1",
                List.of("httpd", "-f", "-p", "8080", "-h", "/www"), List.of(),
                Map.of("GREETING", "hello", "PORT", "8080"), Map.of(),
                List.of(new PortSpec(8080, 18080, "tcp", null)),
                List.of(new VolumeSpec("tmpfs", null, "/tmp", false, "16m")),
                List.of("front"), "unless-stopped",
                new HealthcheckSpec(List.of("CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/ || exit 1"), "5s", null, 3,
                        null),
                new ResourcesSpec(0.5, "64m", null), null, false, List.of(), List.of(), List.of(), false, 1), httpd);
    }

    @Test
    void twoServiceExampleWithItsOwnNetwork() {
        Resource resource = parseOne("app.yaml", Manifests.resource("valid/app-with-network.yaml"));
        StackSpec spec = resource.spec(StackSpec.class);
        assertEquals(Map.of("role", "worker"), spec.placement().hostSelector());
        assertEquals(List.of("api", "client"), spec.services().stream().map(ServiceSpec::name).toList());
        ServiceSpec api = spec.services().get(0);
        assertEquals("always", api.restart());
        assertEquals(new VolumeSpec("volume", "api-data", "/data", false, null), api.volumes().get(0));
        assertEquals(new ResourcesSpec(1.0, "128m", "64Mi"), api.resources());
        assertEquals(List.of("no-new-privileges"), api.securityOpt());
        ServiceSpec client = spec.services().get(1);
        assertEquals(2, client.replicas());
        assertEquals("1000:1000", client.user());
        assertTrue(client.init());
        assertEquals(new StackNetwork("backend", "bridge", true, "10.42.0.0/24", Map.of("purpose", "east-west")),
                spec.networks().get(0));
        assertEquals(Map.of("berth.dev/description", "two services that talk over their own network"),
                resource.metadata().annotations());
    }

    @Test
    void defaultsAreFilledIn() {
        ServiceSpec service = parseOne("m.yaml", Manifests.MINIMAL + "      ports: [{target: 53, protocol: udp}, {target: 80}]\n")
                .spec(StackSpec.class).services().get(0);
        assertEquals("unless-stopped", service.restart());
        assertEquals(1, service.replicas());
        assertEquals(false, service.readOnly());
        assertEquals(false, service.init());
        assertEquals(List.of(new PortSpec(53, null, "udp", null), new PortSpec(80, null, "tcp", null)), service.ports());
    }

    @Test
    void scalarsWhereStringsAreExpectedAreTheirText() {
        ServiceSpec service = parseOne("m.yaml", Manifests.MINIMAL + """
                      env: {PORT: 80, DEBUG: true, RATIO: 0.5, EMPTY: ""}
                      labels: {version: 2}
                      restart: no
                """).spec(StackSpec.class).services().get(0);
        assertEquals(Map.of("PORT", "80", "DEBUG", "true", "RATIO", "0.5", "EMPTY", ""), service.env());
        assertEquals(Map.of("version", "2"), service.labels());
        assertEquals("no", service.restart());
    }

    @Test
    void multiDocumentFileKeepsFileLinesAndEachDocumentsText() {
        String second = Manifests.MINIMAL.replace("name: web", "name: api");
        String yaml = "# two stacks\n---\n" + Manifests.MINIMAL + "---\n\n---   # empty documents are skipped\n"
                + second + "...\n";
        ParseResult result = Manifests.PARSER.parse("two.yaml", yaml);
        assertTrue(result.ok(), () -> "errors: " + result.errors());
        assertEquals(List.of("stack/web", "stack/api"), result.resources().stream().map(Resource::key).toList());
        assertEquals(3, result.resources().get(0).line());
        assertEquals(Manifests.MINIMAL, result.resources().get(0).yaml());
        assertEquals(14, result.resources().get(1).line());
        assertEquals(second, result.resources().get(1).yaml());

        // An error in the second document is reported at its line in the whole file.
        ParseResult bad = Manifests.PARSER.parse("two.yaml", yaml.replace("image: busybox:1\n...", "image: [x]\n..."));
        assertEquals("two.yaml:21:14: spec.services[0].image: expected a string, got a list",
                bad.errors().get(0).toString());
        assertEquals(List.of("stack/web"), bad.resources().stream().map(Resource::key).toList());
    }

    @Test
    void windowsLineEndingsAndByteOrderMark() {
        String yaml = "\uFEFF" + Manifests.MINIMAL.replace("\n", "\r\n");
        Resource resource = parseOne("crlf.yaml", yaml);
        assertEquals("stack/web", resource.key());
        ParseResult bytes = Manifests.PARSER.parse("crlf.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        assertTrue(bytes.ok(), () -> "errors: " + bytes.errors());
    }

    @Test
    void canonicalJsonIgnoresFormattingOrderQuotingAndDefaults() {
        String block = Manifests.resource("valid/web.yaml");
        String reformatted = """
                # the same stack, written differently
                kind: "Stack"
                apiVersion: 'berth.dev/v1'
                spec:
                  networks: [{name: front, driver: bridge}]
                  services:
                  - image: "berth-test/busybox:1"
                    name: httpd
                    restart: unless-stopped
                    networks:
                    - front
                    resources:
                      memory: 64m
                      cpus: 0.50
                    healthcheck:
                      retries: 3
                      interval: "5s"
                      test:
                      - CMD-SHELL
                      - "wget -q -O- http://127.0.0.1:8080/ || exit 1"
                    volumes: [{target: /tmp, type: tmpfs, size: "16m", readOnly: false}]
                    ports:
                    - {published: 18080, target: 8080, protocol: tcp}
                    env:
                      PORT: "8080"
                      GREETING: hello
                    command: [httpd, -f, -p, "8080", -h, /www]
                  placement: {hosts: [host-a], hostSelector: {}}
                metadata:
                  labels:
                    app: web
                  name: web
                """;
        String canonical = parseOne("a.yaml", block).canonicalJson();
        assertEquals(canonical, parseOne("b.yaml", reformatted).canonicalJson());
        assertTrue(canonical.startsWith("{\"apiVersion\":\"berth.dev/v1\",\"kind\":\"Stack\",\"metadata\":"), canonical);
        assertNotEquals(canonical, parseOne("c.yaml", block.replace("cpus: 0.5", "cpus: 0.6")).canonicalJson());
    }
}
