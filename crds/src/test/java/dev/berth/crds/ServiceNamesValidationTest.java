package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.UpdateSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 19's names: aliases answer like a service's name, a containerName is one Docker name per host. */
class ServiceNamesValidationTest {
    /** Two services, web and db. */
    private static final String TWO = Manifests.MINIMAL.replace("name: httpd", "name: web")
            + "    - name: db\n      image: busybox:1\n";

    private static List<String> errors(String yaml) {
        return Manifests.errors(yaml);
    }

    private static StackSpec valid(String yaml) {
        return Manifests.validStack(yaml);
    }

    /** Inserts {@code field} lines into the first service (web) and {@code second} into db. */
    private static String stack(String first, String second) {
        return TWO.replace("  image: busybox:1\n    - name: db\n", "  image: busybox:1\n" + first
                + "    - name: db\n") + second;
    }

    @Test
    void anAliasThatIsAnotherServicesNameOrAliasIsAnErrorAtIt() {
        assertEquals(List.of("x.yaml:9:22: spec.services[0].aliases[1]: alias \"db\" is the name of service \"db\""),
                errors(stack("      aliases: [www, db]\n", "")));
        assertEquals(List.of("x.yaml:12:17: spec.services[1].aliases[0]: alias \"www\" is already an alias of another "
                        + "service (line 9)"),
                errors(stack("      aliases: [www]\n", "      aliases: [www]\n")));
        StackSpec spec = valid(stack("      aliases: [www, web, www]\n", "      aliases: [database]\n"));
        assertEquals(List.of("www", "web", "www"), spec.services().get(0).aliases());
    }

    @Test
    void aContainerNameNeedsOneContainerPerHostAndIsUniqueAndRecreates() {
        assertEquals(List.of("x.yaml:9:22: spec.services[0].containerName: containerName names one container per "
                        + "host, but replicas is 2 (Docker names are unique on a host); use replicas: 1, or remove containerName"),
                errors(stack("      containerName: legacy\n      replicas: 2\n", "")));
        assertEquals(List.of("x.yaml:12:22: spec.services[1].containerName: containerName \"legacy\" is already used by "
                        + "another service (line 9)"),
                errors(stack("      containerName: legacy\n", "      containerName: legacy\n")));
        assertEquals(List.of("x.yaml:10:26: spec.services[0].update.strategy: start-first needs a second container "
                        + "next to the old one, and containerName gives the service only one name; use strategy: recreate"),
                errors(stack("      containerName: legacy\n      update: {strategy: start-first}\n", "")));
        ServiceSpec global = valid(stack("      containerName: legacy_db\n      placement: {mode: global}\n"
                + "      healthcheck: {test: [CMD, \"true\"]}\n", "")).services().get(0);
        assertEquals("legacy_db", global.containerName());
        assertEquals(UpdateSpec.RECREATE, global.effectiveStrategy(), "a health check would make it start-first");
    }
}
