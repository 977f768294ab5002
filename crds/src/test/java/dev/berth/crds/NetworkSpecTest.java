package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.crds.network.NetworkSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkSpecTest {
    private final ManifestParser parser = new ManifestParser(Kinds.standard());

    private static String network(String spec) {
        return "apiVersion: berth.dev/v1\nkind: Network\nmetadata:\n  name: backend\nspec:\n" + spec;
    }

    private List<String> errors(String yaml) {
        return parser.parse("n.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    @Test
    void defaults() {
        ParseResult result = parser.parse("n.yaml", network("  vni: 42\n  subnet: 10.42.0.0/16\n"));
        assertEquals(List.of(), result.errors());
        NetworkSpec spec = result.resources().get(0).spec(NetworkSpec.class);
        assertEquals(new NetworkSpec(42, "10.42.0.0/16", 24, null, 4789, "flood"), spec);
        assertEquals("network/backend", result.resources().get(0).key());
    }

    @Test
    void vniOutOfRange() {
        assertEquals(List.of("n.yaml:6:8: spec.vni: must be at least 1 (got 0)"), errors(network("  vni: 0\n  subnet: 10.42.0.0/16\n")));
        assertTrue(errors(network("  vni: 16777216\n  subnet: 10.42.0.0/16\n")).get(0).startsWith("n.yaml:6:8: spec.vni: must be at most 16777215"));
    }

    @Test
    void hostPrefixLargerThanTheSubnet() {
        assertEquals(List.of("n.yaml:8:15: spec.hostPrefix: hostPrefix /16 is larger than the subnet /24 (each host's share must fit inside the subnet)"),
                errors(network("  vni: 7\n  subnet: 10.42.0.0/24\n  hostPrefix: 16\n")));
    }

    @Test
    void subnetWithHostBits() {
        assertEquals(List.of("n.yaml:7:11: spec.subnet: \"10.42.1.0/16\" has host bits set; did you mean \"10.42.0.0/16\"?"),
                errors(network("  vni: 7\n  subnet: 10.42.1.0/16\n")));
    }

    @Test
    void cidrArithmetic() {
        Ipv4Cidr a = Ipv4Cidr.parse("10.42.0.0/16");
        assertTrue(a.overlaps(Ipv4Cidr.parse("10.42.7.0/24")));
        assertTrue(!a.overlaps(Ipv4Cidr.parse("10.43.0.0/16")));
        assertEquals("10.42.3.0/24", a.child(24, 3).toString());
        assertTrue(a.contains(a.child(24, 255)));
    }
}
