package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's bridge, host and none take no per-container names: refused on apply, not failed at every start. */
class DockerBuiltInNetworkValidationTest {
    private static String withNetworks(String networks) {
        return Manifests.MINIMAL.replace("  image: busybox:1\n", "  image: busybox:1\n      networks: " + networks + "\n");
    }

    @Test
    void bridgeHostAndNoneAreErrorsAtTheirPlace() {
        List<String> errors = Manifests.errors(withNetworks("[mine_proxy, bridge, host, none]"));
        assertEquals(3, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("x.yaml:9:30: spec.services[0].networks[1]: \"bridge\" is Docker's built-in "
                + "network, which takes no per-container names"), errors.get(0));
        assertTrue(errors.get(0).endsWith("or name a user-defined network (docker network create NAME)"), errors.get(0));
        assertTrue(errors.get(1).startsWith("x.yaml:9:38: spec.services[0].networks[2]: \"host\" is"), errors.get(1));
        assertTrue(errors.get(1).contains("and joins no other network"), errors.get(1));
        assertTrue(errors.get(2).startsWith("x.yaml:9:44: spec.services[0].networks[3]: \"none\" is"), errors.get(2));
    }

    @Test
    void aStackNetworkOfTheSameNameIsTheStacksOwn() {
        Manifests.validStack(withNetworks("[bridge]") + "  networks:\n    - name: bridge\n");
    }
}
