package dev.berth.reconcilers.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Secret environment value reaches the spec hash (a label, and logged) only through its host-salted digest: the
 * hash follows the digest, never the value, while the container still gets the value.
 */
class SecretEnvHashTest {
    private final ServiceSpec service = Specs.service("web", "busybox:1.36", 1);

    private ContainerPlan plan(String value, String digest) {
        ServiceFiles files = new ServiceFiles(List.of(), Map.of("DB_PASSWORD", value), Map.of("DB_PASSWORD", digest));
        return PlanBuilder.container("i", "s", service, 1, Map.of(), NameServers.off(), files);
    }

    @Test
    void theHashFollowsTheDigestNotTheValue() {
        ContainerPlan a = plan("hunter2", "d1");
        assertEquals(a.specHash(), plan("correct horse", "d1").specHash(), "the value itself must not enter the hash");
        assertNotEquals(a.specHash(), plan("hunter2", "d2").specHash(), "a new digest (a new value) must roll");
        assertEquals(a.specHash(), a.labels().get(BerthLabels.SPEC_HASH));
    }

    @Test
    void theContainerStillGetsTheValue() {
        ContainerPlan a = plan("hunter2", "d1");
        assertTrue(a.env().contains("DB_PASSWORD=hunter2"), a.env().toString());
        assertFalse(a.env().stream().anyMatch(e -> e.contains("d1")), a.env().toString());
    }

    @Test
    void withoutADigestTheValueStillNeverEntersTheHash() {
        // A guess could be checked by hashing a plan with it, if the value counted anywhere.
        String one = PlanBuilder.container("i", "s", service, 1, Map.of(), NameServers.off(),
                new ServiceFiles(List.of(), Map.of("DB_PASSWORD", "hunter2"))).specHash();
        String other = PlanBuilder.container("i", "s", service, 1, Map.of(), NameServers.off(),
                new ServiceFiles(List.of(), Map.of("DB_PASSWORD", "correct horse"))).specHash();
        assertEquals(one, other);
        assertNotEquals(one, plan("hunter2", "d1").specHash(), "a known digest is not the unknown one");
    }

    /** berth diff has no salt: it plans a running container again with the digests its label carries. */
    @Test
    void theDigestsRideOnALabelSoARunningContainerCanBePlannedAgain() {
        ContainerPlan a = plan("hunter2", "d1");
        assertEquals("DB_PASSWORD=d1", a.labels().get(BerthLabels.SECRET_ENV_DIGESTS));
        ServiceFiles again = new ServiceFiles(List.of(), Map.of("DB_PASSWORD", "hunter2"),
                ServiceFiles.envDigestsOf(a.labels()));
        assertEquals(a.specHash(), PlanBuilder.container("i", "s", service, 1, Map.of(), NameServers.off(), again)
                .specHash());
    }
}
