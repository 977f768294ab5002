package dev.berth.crds;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CrossFieldChecksTest {

    private static List<String> errors(String yaml) {
        return Manifests.PARSER.parse("x.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    @Test
    void volumeSourcesDependOnTheType() {
        assertEquals(List.of(
                "x.yaml:10:11: spec.services[0].volumes[0].source: a bind volume needs a source: an absolute host path",
                "x.yaml:11:32: spec.services[0].volumes[1].source: the source of a bind volume must be an absolute host path (got \"data\")",
                "x.yaml:12:11: spec.services[0].volumes[2].source: a volume of type \"volume\" needs a source: the name of the Docker volume",
                "x.yaml:13:33: spec.services[0].volumes[3].source: a tmpfs volume has no source",
                "x.yaml:14:55: spec.services[0].volumes[4].size: only a tmpfs volume has a size"),
                errors(Manifests.MINIMAL + """
                              volumes:
                                - {type: bind, target: /a}
                                - {type: bind, source: data, target: /b}
                                - {type: volume, target: /c}
                                - {type: tmpfs, source: x, target: /d}
                                - {type: volume, source: v, target: /e, size: 1g}
                        """));
    }

    @Test
    void serviceNetworksMustBeDeclared() {
        // A name the stack does not declare refers to a Berth Network (an overlay); whether it exists is
        // known only at reconcile time, where the stack's status says so.
        assertEquals(List.of(), errors(Manifests.MINIMAL + "      networks: [a, x]\n  networks: [{name: a}, {name: b}]\n"));
    }

    @Test
    void twoServicesMayNotPublishOneHostPort() {
        assertEquals(List.of("x.yaml:12:39: spec.services[1].ports[0].published: host port 8080/tcp is already "
                        + "published by service \"httpd\" (line 9)"),
                errors(Manifests.MINIMAL + """
                              ports: [{target: 80, published: 8080}, {target: 80, published: 8080, protocol: udp}]
                            - name: other
                              image: busybox:1
                              ports: [{target: 81, published: 8080}]
                        """));
    }

    @Test
    void duplicateNetworkName() {
        assertEquals(List.of("x.yaml:9:32: spec.networks[1].name: duplicate network name \"a\" (first at line 9)"),
                errors(Manifests.MINIMAL + "  networks: [{name: a}, {name: a}]\n"));
    }

    @Test
    void subnetPattern() {
        assertEquals(1, errors(Manifests.MINIMAL + "  networks: [{name: a, subnet: 10.0.0.0/33}]\n").size());
        assertEquals(List.of(), errors(Manifests.MINIMAL + "  networks: [{name: a, subnet: 10.0.0.0/8}]\n"));
    }
}
