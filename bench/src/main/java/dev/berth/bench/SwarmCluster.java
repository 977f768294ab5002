package dev.berth.bench;

import static dev.berth.bench.BenchSupport.sh;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.NetworkAttachmentConfig;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Docker Swarm on a {@link HostBed}'s dockerds: host 0 the one manager (swarm init --advertise-addr on its underlay
 * address), the others workers (join). close() makes every host leave again.
 */
final class SwarmCluster implements AutoCloseable {
    private final HostBed bed;

    /** {@code heartbeatSeconds}: the dispatcher heartbeat (0: Swarm's default, 5 s). */
    SwarmCluster(HostBed bed, int heartbeatSeconds) throws IOException {
        this.bed = bed;
        NsDockerd m = bed.hosts.get(0);
        sh("docker", "-H", "unix://" + m.sock, "swarm", "init", "--advertise-addr", m.underlayIp, "--listen-addr",
                m.underlayIp + ":2377");
        if (heartbeatSeconds > 0) {
            sh("docker", "-H", "unix://" + m.sock, "swarm", "update", "--dispatcher-heartbeat", heartbeatSeconds + "s");
        }
        String token = out("docker", "-H", "unix://" + m.sock, "swarm", "join-token", "-q", "worker").trim();
        for (NsDockerd h : bed.hosts.subList(1, bed.hosts.size())) {
            sh("docker", "-H", "unix://" + h.sock, "swarm", "join", "--token", token, "--advertise-addr", h.underlayIp,
                    m.underlayIp + ":2377");
        }
        BenchSupport.await(java.time.Duration.ofSeconds(60), "all swarm nodes ready", () -> readyNodes() == bed.hosts.size(), 300);
    }

    DockerClient manager() {
        return bed.hosts.get(0).client;
    }

    long readyNodes() {
        return manager().listSwarmNodesCmd().exec().stream()
                .filter(n -> n.getStatus() != null && "ready".equalsIgnoreCase(String.valueOf(n.getStatus().getState()))).count();
    }

    /**
     * The API call {@code docker service create --detach --no-resolve-image} makes (the CLI's own process start left
     * out, as Berth's side is the store's apply without the CLI's): the bench image, the same command and init.
     */
    void create(String name, int replicas) {
        create(name, replicas, null);
    }

    /**
     * The same, its tasks on {@code network} (a Swarm overlay: {@code docker service create --network}), where Docker's
     * embedded DNS answers the service's name, as Berth's stack network does; null: no network, so the tasks go on
     * the host's default bridge, where no name is served.
     */
    void create(String name, int replicas, String network) {
        TaskSpec task = new TaskSpec().withContainerSpec(new ContainerSpec().withImage(bed.image())
                .withArgs(List.of("httpd", "-f", "-p", "8080", "-h", "/www")).withInit(true));
        if (network != null) {
            task.withNetworks(List.of(new NetworkAttachmentConfig().withTarget(network)));
        }
        manager().createServiceCmd(new ServiceSpec().withName(name).withLabels(Map.of(Figure.LABEL, "swarm"))
                .withMode(new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(replicas)))
                .withTaskTemplate(task)).exec();
    }

    /** An overlay network on the manager (its tasks' names served by Docker's embedded DNS); gone with the swarm. */
    void overlay(String name, String subnet) throws IOException {
        sh("docker", "-H", "unix://" + bed.hosts.get(0).sock, "network", "create", "-d", "overlay", "--subnet", subnet, name);
    }

    void remove(String name) {
        manager().removeServiceCmd(name).exec();
    }

    /** The swarm node id of each host, in the bed's order. */
    String nodeId(NsDockerd h) {
        return h.client.infoCmd().exec().getSwarm().getNodeID();
    }

    static String out(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + o);
            }
            return o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        for (int i = bed.hosts.size() - 1; i >= 0; i--) {
            NsDockerd h = bed.hosts.get(i);
            if (h.client != null) {
                BenchSupport.sh0("docker", "-H", "unix://" + h.sock, "swarm", "leave", "--force");
            }
        }
    }
}
