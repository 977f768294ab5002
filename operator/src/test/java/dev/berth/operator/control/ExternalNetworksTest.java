package dev.berth.operator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one classification of a network a stack names but does not own. A Docker network Berth made, named like a
 * Network out of sight for a moment (not listed yet, invalid, deleted while used), is never an outside network:
 * taken for one, every container on it would be recreated (names dropped, Docker aliases added) and again later.
 */
class ExternalNetworksTest {
    private static final Map<String, ObservedNetwork> HERE = Map.of(
            "traefik_proxy", new ObservedNetwork("1", "traefik_proxy", Map.of()),
            "backend", new ObservedNetwork("2", "backend", Map.of(BerthLabels.MANAGED_BY, "berth",
                    BerthLabels.OWNER, "network/backend"), "10.44.0.1"),
            "other-instance", new ObservedNetwork("3", "other-instance", Map.of(BerthLabels.MANAGED_BY, "blue")),
            "owned-only", new ObservedNetwork("4", "owned-only", Map.of(BerthLabels.OWNER, "network/owned-only")));

    private static ExternalNetworks here(Set<String> declared) {
        return ExternalNetworks.orDocker(ExternalNetworks.declaredIn(declared),
                name -> Optional.ofNullable(HERE.get(name)));
    }

    @Test
    void aBerthLabelledDockerNetworkOfAMissingNetworkIsNotExternal() {
        ExternalNetworks networks = here(Set.of());
        assertEquals(ExternalNetworks.Kind.NOT_FOUND, networks.kind("backend"));
        assertEquals(ExternalNetworks.Kind.NOT_FOUND, networks.kind("other-instance"));
        assertEquals(ExternalNetworks.Kind.NOT_FOUND, networks.kind("owned-only"));
        assertFalse(networks.dockerNetworkHere("backend"));
    }

    @Test
    void anUnlabelledDockerNetworkIsExternalAndADeclaredNetworkIsBerths() {
        ExternalNetworks networks = here(Set.of("backend", "traefik_proxy"));
        assertEquals(ExternalNetworks.Kind.DOCKER, here(Set.of()).kind("traefik_proxy"));
        assertEquals(ExternalNetworks.Kind.BERTH, networks.kind("backend"));
        assertEquals(ExternalNetworks.Kind.BERTH, networks.kind("traefik_proxy"), "a Network of that name wins");
        assertEquals(ExternalNetworks.Kind.NOT_FOUND, networks.kind("nowhere"));
    }

    @Test
    void theStackReconcilerSeesWhetherTheNetworksAreListed() {
        ExternalNetworks unsynced = new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return false;
            }

            @Override
            public boolean readyHere(String network) {
                return false;
            }

            @Override
            public boolean synced() {
                return false;
            }
        };
        assertFalse(ExternalNetworks.orDocker(unsynced, name -> Optional.empty()).synced());
        assertTrue(ExternalNetworks.orDocker(ExternalNetworks.none(), name -> Optional.empty()).synced());
    }
}
