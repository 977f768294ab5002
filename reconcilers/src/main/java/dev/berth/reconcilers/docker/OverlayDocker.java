package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import dev.berth.reconcilers.overlay.OverlayNetworkPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Docker side of an overlay: the bridge network with this host's ip-range and gateway. */
public final class OverlayDocker {
    private static final Logger log = LoggerFactory.getLogger(OverlayDocker.class);

    private final DockerClient docker;

    public OverlayDocker(DockerClient docker) {
        this.docker = docker;
    }

    public Optional<Network> find(String name) {
        try {
            return docker.listNetworksCmd().withNameFilter(name).exec().stream()
                    .filter(n -> n.getName().equals(name)).findFirst();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list networks", e);
        }
    }

    public String create(OverlayNetworkPlan plan) {
        try {
            Network.Ipam.Config config = new Network.Ipam.Config().withSubnet(plan.subnet())
                    .withIpRange(plan.ipRange()).withGateway(plan.gateway());
            String id = docker.createNetworkCmd().withName(plan.dockerName()).withDriver("bridge")
                    .withCheckDuplicate(true)
                    .withIpam(new Network.Ipam().withConfig(List.of(config)))
                    .withOptions(Map.of("com.docker.network.bridge.name", plan.bridge(),
                            "com.docker.network.driver.mtu", Integer.toString(plan.mtu())))
                    .withLabels(plan.labels()).exec().getId();
            log.info("network/{}: created Docker network {} (bridge {}, range {}, gateway {}, mtu {})", plan.network(),
                    plan.dockerName(), plan.bridge(), plan.ipRange(), plan.gateway(), plan.mtu());
            return id;
        } catch (RuntimeException e) {
            throw DockerErrors.classify("create network " + plan.dockerName(), e);
        }
    }

    /**
     * Containers configured on the network, stopped ones included (a network inspect lists only running
     * endpoints, and a crash-looping container must not lose its network). One list call.
     */
    public int attachedContainers(String id) {
        try {
            return docker.listContainersCmd().withShowAll(true).withNetworkFilter(List.of(id)).exec().size();
        } catch (NotFoundException e) {
            return 0;
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list containers on network " + id, e);
        }
    }

    /** The containers on the network with their overlay IPv4 address and MAC, from one network inspect. */
    public List<dev.berth.reconcilers.overlay.Endpoint> endpoints(String id) {
        try {
            Map<String, Network.ContainerNetworkConfig> containers = docker.inspectNetworkCmd().withNetworkId(id).exec()
                    .getContainers();
            if (containers == null) {
                return List.of();
            }
            return containers.values().stream()
                    .filter(c -> c.getIpv4Address() != null && !c.getIpv4Address().isEmpty() && c.getMacAddress() != null)
                    .map(c -> new dev.berth.reconcilers.overlay.Endpoint(c.getIpv4Address().replaceAll("/.*", ""),
                            c.getMacAddress()))
                    .sorted(java.util.Comparator.comparing(dev.berth.reconcilers.overlay.Endpoint::ip)).toList();
        } catch (NotFoundException e) {
            return List.of();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect network " + id, e);
        }
    }

    public void remove(String id, String name) {
        try {
            docker.removeNetworkCmd(id).exec();
            log.info("removed Docker network {}", name);
        } catch (NotFoundException e) {
            log.debug("network {} already gone", name);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("remove network " + name, e);
        }
    }
}
