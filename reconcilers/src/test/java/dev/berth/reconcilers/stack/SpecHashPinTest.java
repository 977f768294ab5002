package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkPlan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.crds.stack.DependsOn;
import dev.berth.crds.stack.HealthcheckSpec;
import dev.berth.crds.stack.LoggingSpec;
import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.stack.Ulimit;
import dev.berth.crds.stack.UpdateSpec;
import dev.berth.crds.stack.VolumeSpec;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Upgrades must not replace running containers: the spec hashes of an unchanged stack are pinned here, as the
 * Berth release before the hash became "by construction" computed them. If this test fails, every container and
 * network of every user would be recreated on upgrade; change the serialisation back, do not update the pins.
 */
class SpecHashPinTest {

    /** A stack that uses every field a plan has today: all mount types, ports with and without host IP, an overlay. */
    static StackSpec sample() {
        ServiceSpec web = new ServiceSpec("web", "registry.example/web@sha256:0123", List.of("serve", "--port", "8080", "a b"),
                List.of("/sbin/tini", "--"), Map.of("Z", "last", "A", "first", "A.B", "dotted", "EMPTY", ""),
                Map.of("team", "a", "tier", "front"),
                List.of(new PortSpec(8080, 18080, "tcp", null), new PortSpec(53, 5353, "udp", "127.0.0.1"),
                        new PortSpec(9090, null, "tcp", null), new PortSpec(443, 0, "tcp", "0.0.0.0")),
                List.of(new VolumeSpec("volume", "data", "/var/data", false, null),
                        new VolumeSpec("bind", "/etc/hosts", "/etc/extra-hosts", true, null),
                        new VolumeSpec("tmpfs", null, "/tmp", false, "16m"),
                        new VolumeSpec("volume", null, "/cache", false, null)),
                List.of("back", "front", "mesh"), "on-failure:3",
                new HealthcheckSpec(List.of("CMD-SHELL", "wget -q -O- localhost:8080"), "1s", "2s", 3, "1m30s"),
                new ResourcesSpec(0.5, "128m", "64m"), "1000:1000", true, List.of("NET_BIND_SERVICE", "CHOWN"),
                List.of("NET_RAW", "MKNOD"), List.of("no-new-privileges:true", "apparmor=unconfined"), true, 2,
                new UpdateSpec(UpdateSpec.START_FIRST, "30s", "1s", 1), List.of(new DependsOn("worker", null)));
        ServiceSpec worker = new ServiceSpec("worker", "busybox:1", null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
        return new StackSpec(new Placement(null, null), List.of(web, worker), List.of(
                new StackNetwork("back", null, true, "10.251.0.0/24", Map.of("x", "y")),
                new StackNetwork("front", "bridge", false, null, null)));
    }

    static Map<String, NetworkPlan> networks() {
        return PlanBuilder.networks(BerthLabels.DEFAULT_INSTANCE, "shop", sample());
    }

    static List<ContainerPlan> containers() {
        return PlanBuilder.containers(BerthLabels.DEFAULT_INSTANCE, "shop", sample(), networks());
    }

    /**
     * A service with every container option Compose brought (hostname ... shmSize): their serialisation is pinned
     * from the release that added them on.
     */
    static ServiceSpec withOptions() {
        return new ServiceSpec("opts", "busybox:1", null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, "opts-host",
                null, null, "/srv", true, Map.of("nofile", new Ulimit(1024, 2048), "core", new Ulimit(-1, -1)),
                new LoggingSpec("json-file", Map.of("max-size", "1m", "max-file", "3")),
                Map.of("net.core.somaxconn", "1024"), List.of("db:10.0.0.2", "v6:::1"),
                List.of("/dev/null", "/dev/zero:/dev/z:r"), "SIGQUIT", "1m30s", "128m");
    }

    @Test
    void containerOptionHashesArePinned() {
        StackSpec spec = new StackSpec(new Placement(null, null), List.of(withOptions()), List.of());
        var nets = PlanBuilder.networks(BerthLabels.DEFAULT_INSTANCE, "shop", spec);
        Map<String, String> hashes = PlanBuilder.containers(BerthLabels.DEFAULT_INSTANCE, "shop", spec, nets).stream()
                .collect(Collectors.toMap(ContainerPlan::name, ContainerPlan::specHash));
        assertEquals(Map.of("shop-opts-1", "c67c37eaaa485022"), hashes);
    }

    @Test
    void networkHashesAreThoseOfEarlierReleases() {
        Map<String, String> hashes = networks().values().stream()
                .collect(Collectors.toMap(NetworkPlan::name, NetworkPlan::specHash));
        assertEquals(Map.of(
                "shop_back", "4569374a8baec395",
                "shop_default", "a4eab6e06f2d1562",
                "shop_front", "453b359bb6a86bae"), hashes);
    }

    @Test
    void containerHashesAreThoseOfEarlierReleases() {
        Map<String, String> hashes = containers().stream()
                .collect(Collectors.toMap(ContainerPlan::name, ContainerPlan::specHash));
        assertEquals(Map.of(
                "shop-web-1", "66507e4300eb0602",
                "shop-web-2", "37dcd84d00b105b4",
                "shop-worker-1", "d7adef14652809d4"), hashes);
    }
}
