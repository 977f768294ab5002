package dev.berth.bench.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.crds.compose.ComposeProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit's rules on hand-made input and output, without the importer: what counts as silent and what not. */
class SilentChangeAuditTest {
    @TempDir
    Path folder;

    private List<String> silent(String compose, String output, List<ComposeProblem> problems) throws IOException {
        Files.writeString(folder.resolve("compose.yaml"), compose);
        CorpusEntry entry = CorpusEntry.in(folder).orElseThrow();
        return new SilentChangeAudit().silentPaths(entry, Map.of(), output, problems);
    }

    private static String stack(String service) {
        return "kind: Stack\nspec:\n  services:\n  - name: web\n" + service.indent(4);
    }

    @Test
    void aValueLeftOutWithoutAWarningIsSilent() throws IOException {
        assertEquals(List.of("services.web.privileged", "services.web.ports[1]"), silent(
                "services:\n  web:\n    image: nginx\n    privileged: true\n    ports: ['8080:80', '9000:9000/udp']\n",
                stack("image: nginx\nports: [{target: 80, published: 8080}, {target: 9000, published: 9000}]"),
                List.of()));
    }

    @Test
    void aWarningOnTheLeafOrAnAncestorCoversIt() throws IOException {
        assertEquals(List.of(), silent(
                "services:\n  web:\n    image: nginx\n    logging:\n      driver: json-file\n      options: {max-size: 10m}\n",
                stack("image: nginx"),
                List.of(new ComposeProblem("compose.yaml", 4, 5, "services.web.logging", "dropped"))));
    }

    @Test
    void sizesDurationsRenamesAndDefaultsAreNoChange() throws IOException {
        assertEquals(List.of(), silent("""
                services:
                  web:
                    image: nginx
                    mem_limit: 512m
                    read_only: true
                    restart: no
                    healthcheck: {test: [CMD, curl, x], start_period: 1m30s}
                    deploy: {mode: replicated}
                """,
                stack("image: nginx\nresources: {memory: 536870912}\nreadOnly: true\nrestart: \"no\"\n"
                        + "healthcheck: {test: [CMD, curl, x], startPeriod: 90s}"),
                List.of()));
    }

    @Test
    void listFormTraefikLabelsCountApartFromOtherLabels() {
        assertEquals("services.*.labels[][traefik.*]",
                PathPattern.of("services.whoami.labels[2]=traefik.http.routers.whoami.rule"));
        assertEquals("services.*.labels[]", PathPattern.of("services.whoami.labels[0]=com.example.team"));
        assertEquals("services.*.environment.*", PathPattern.of("services.web.environment.DB_URL"));
    }

    private static final String ROUTE = "---\nkind: Route\nspec:\n  hosts: [shop.example.test]\n  entryPoints: [web]\n"
            + "  target: {service: web, port: 80}\n";

    @Test
    void traefikLabelsCarriedIntoARouteOfTheServiceAreNoChangeButALostOneIs() throws IOException {
        assertEquals(List.of("services.web.labels[3]=traefik.http.routers.shop.tls.certresolver"), silent("""
                services:
                  web:
                    image: nginx
                    labels:
                      - traefik.enable=true
                      - traefik.http.routers.shop.rule=Host(`shop.example.test`)
                      - traefik.http.routers.shop.entrypoints=web
                      - traefik.http.routers.shop.tls.certresolver=letsencrypt
                """, stack("image: nginx") + ROUTE, List.of()));
    }

    @Test
    void traefikLabelsNeedARouteOfTheirOwnService() throws IOException {
        assertEquals(List.of("services.web.labels.traefik.http.routers.shop.rule"), silent("""
                services:
                  web:
                    image: nginx
                    labels: {traefik.http.routers.shop.rule: Host(`shop.example.test`)}
                """, stack("image: nginx") + ROUTE.replace("service: web", "service: api"), List.of()));
    }

    @Test
    void aWarningThatARouterGotNoRouteCoversThatRoutersLabelsOnly() throws IOException {
        assertEquals(List.of("services.web.labels[2]=traefik.http.routers.other.rule"), silent("""
                services:
                  web:
                    image: nginx
                    labels:
                      - traefik.http.routers.shop.entrypoints=web
                      - traefik.http.routers.shop.rule=Host(`shop.example.test`)
                      - traefik.http.routers.other.rule=Host(`other.example.test`)
                """, stack("image: nginx"), List.of(new ComposeProblem("compose.yaml", 5, 9, "services.web.labels[0]",
                "router \"shop\" has no port: ...; no Route made, so its labels are dropped: "
                        + "traefik.http.routers.shop.{entrypoints, rule}"))));
    }

    @Test
    void extendsIsTheLoadersNotAValueAndALeftOutServiceIsCoveredByItsWarning() throws IOException {
        assertEquals(List.of(), silent("""
                services:
                  web:
                    extends: {service: base}
                    image: nginx
                  debug:
                    image: busybox
                    profiles: [debug]
                """, stack("image: nginx"), List.of(new ComposeProblem("compose.yaml", 7, 5, "services.debug",
                "service left out: its profiles (debug) are not enabled"))));
    }

    @Test
    void anOctalFileModeIsCarriedAsWritten() throws IOException {
        assertEquals(List.of("services.web.secrets[1].mode"), silent("""
                services:
                  web:
                    image: nginx
                    secrets: [{source: a, target: /run/a, mode: 0400}, {source: b, target: /run/b, mode: 0440}]
                """, stack("image: nginx\nsecrets: [{source: a, target: /run/a, mode: \"0400\"}, "
                + "{source: b, target: /run/b, mode: \"0400\"}]"), List.of()));
    }
}
