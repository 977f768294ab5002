package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The check across objects, without etcd: what is applied against what is stored, errors at the fields. */
class ObjectSetCheckTest {
    private static final ObjectSetCheck CHECK = ObjectSetCheck.standard();

    private static String network(String name, int vni, String subnet) {
        return "apiVersion: berth.dev/v1\nkind: Network\nmetadata:\n  name: " + name + "\nspec:\n  vni: " + vni
                + "\n  subnet: " + subnet + "\n";
    }

    private static List<Resource> parse(String file, String yaml) {
        ParseResult parsed = Manifests.PARSER.parse(file, yaml);
        assertEquals(List.of(), parsed.errors());
        return parsed.resources();
    }

    private static List<String> errors(List<Resource> applying, List<Resource> stored) {
        return CHECK.check(applying, stored).stream().map(ValidationError::toString).toList();
    }

    @Test
    void aClashWithinWhatIsAppliedIsReportedOnceAtTheLaterObject() {
        List<Resource> applying = parse("n.yaml", network("a", 7, "10.1.0.0/16") + "---\n"
                + network("b", 7, "10.1.128.0/17") + "---\n" + network("c", 9, "10.2.0.0/16"));
        assertEquals(List.of(
                "n.yaml:14:8: spec.vni: VNI 7 is already used by network \"a\" (n.yaml:6)",
                "n.yaml:15:11: spec.subnet: subnet 10.1.128.0/17 overlaps 10.1.0.0/16 of network \"a\" (n.yaml:7)"),
                errors(applying, List.of()));
    }

    @Test
    void aClashWithAStoredObjectIsReportedAtTheAppliedOne() {
        List<Resource> stored = parse("/berth/v1/network/a", network("a", 7, "10.1.0.0/16"));
        assertEquals(List.of("b.yaml:6:8: spec.vni: VNI 7 is already used by network \"a\""),
                errors(parse("b.yaml", network("b", 7, "10.9.0.0/16")), stored));
    }

    @Test
    void anObjectBeingAppliedReplacesItsStoredSelf() {
        List<Resource> stored = parse("/berth/v1/network/a", network("a", 7, "10.1.0.0/16"));
        assertEquals(List.of(), errors(parse("a.yaml", network("a", 7, "10.1.0.0/17")), stored));
    }

    @Test
    void aClashAlreadyInEtcdDoesNotBlockOtherObjects() {
        List<Resource> stored = parse("etcd", network("a", 7, "10.1.0.0/16") + "---\n" + network("b", 7, "10.1.0.0/16"));
        assertEquals(List.of(), errors(parse("c.yaml", network("c", 8, "10.3.0.0/16") + "---\n" + Manifests.MINIMAL),
                stored));
        assertEquals(java.util.Set.of("network", "stack"), CHECK.kinds());
    }

    @Test
    void aDocumentOnTheSeparatorLineKeepsItsColumns() {
        List<Resource> applying = parse("f.yaml", network("a", 7, "10.1.0.0/16")
                + "--- {apiVersion: berth.dev/v1, kind: Network, metadata: {name: b}, spec: {vni: 8, subnet: 10.1.0.0/24}}\n");
        assertEquals(List.of("f.yaml:8:91: spec.subnet: subnet 10.1.0.0/24 overlaps 10.1.0.0/16 of network \"a\""
                + " (f.yaml:7)"), errors(applying, List.of()));
    }

    private static String stack(String name, String service, String containerName) {
        return "apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: " + name + "\nspec:\n  services:\n"
                + "    - name: " + service + "\n      image: busybox:1\n"
                + (containerName == null ? "" : "      containerName: " + containerName + "\n");
    }

    @Test
    void theSameContainerNameInTwoStacksIsAnErrorAtTheLaterOne() {
        List<Resource> applying = parse("s.yaml", stack("shop", "db", "db") + "---\n" + stack("legacy", "postgres", "db")
                + "---\n" + stack("blog", "api", "blog_api") + "---\n" + stack("plain", "db", null));
        assertEquals(List.of("s.yaml:19:22: spec.services[0].containerName: containerName \"db\" is already used by"
                + " service \"db\" of stack \"shop\" (s.yaml:9) (Docker names are unique on a host)"),
                errors(applying, List.of()));
    }

    @Test
    void theSameContainerNameAsAStoredStackIsAnErrorUnlessItIsTheStackItself() {
        List<Resource> stored = parse("/berth/v1/stack/legacy", stack("legacy", "postgres", "db"));
        assertEquals(List.of("shop.yaml:9:22: spec.services[0].containerName: containerName \"db\" is already used by"
                + " service \"postgres\" of stack \"legacy\" (Docker names are unique on a host)"),
                errors(parse("shop.yaml", stack("shop", "db", "db")), stored));
        assertEquals(List.of(), errors(parse("legacy.yaml", stack("legacy", "pg", "db")), stored));
    }
}
