package dev.berth.operator.reliability;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one operator instance left on the Docker host after the kill loop converged (or gave up): duplicates (more
 * containers of a service than its replicas, a leftover {@code -next} replacement), orphans (containers, networks or
 * volumes with the instance's label whose stack is gone, or a network the stack does not declare) and containers
 * stuck in created, exited or dead. Read from Docker itself, never from Berth's caches or status.
 */
final class KillLoopAudit {
    /** States a long-running service's container must not stay in once the stack converged. */
    private static final Set<String> STUCK = Set.of("created", "exited", "dead");

    private final DockerClient docker;
    private final String instance;

    KillLoopAudit(DockerClient docker, String instance) {
        this.docker = docker;
        this.instance = instance;
    }

    /** What an audit found, each entry a line naming the object and why it counts. */
    record Findings(List<String> duplicates, List<String> orphans, List<String> stuck) {
        boolean clean() {
            return duplicates.isEmpty() && orphans.isEmpty() && stuck.isEmpty();
        }

        @Override
        public String toString() {
            return "duplicates " + duplicates + " orphans " + orphans + " stuck " + stuck;
        }
    }

    /**
     * @param stack    the one stack of the loop
     * @param replicas its replicas per service when it exists; empty when it was deleted
     * @param networks the Docker networks the stack should have (empty when it was deleted)
     */
    Findings audit(String stack, Map<String, Integer> replicas, Set<String> networks) {
        String owner = "stack/" + stack;
        List<String> duplicates = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        Map<String, Integer> perService = new TreeMap<>();
        for (Container c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, instance)).exec()) {
            String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].substring(1);
            Map<String, String> labels = c.getLabels();
            String service = labels.get(BerthLabels.SERVICE);
            if (!owner.equals(labels.get(BerthLabels.OWNER)) || replicas.isEmpty() || !replicas.containsKey(service)) {
                orphans.add("container " + name + " (" + labels.get(BerthLabels.OWNER) + ", " + c.getState() + ")");
                continue;
            }
            if (name.endsWith("-next")) {
                duplicates.add("container " + name + " left over (" + c.getState() + ")");
            }
            perService.merge(service, 1, Integer::sum);
            if (STUCK.contains(c.getState())) {
                stuck.add("container " + name + " " + c.getState() + " (" + c.getStatus() + ")");
            }
        }
        perService.forEach((service, count) -> {
            if (count > replicas.get(service)) {
                duplicates.add("service " + service + ": " + count + " containers for " + replicas.get(service) + " replicas");
            }
        });
        for (Network n : docker.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec()) {
            if (!networks.contains(n.getName())) {
                orphans.add("network " + n.getName() + " (" + n.getLabels().get(BerthLabels.OWNER) + ", "
                        + (n.getContainers() == null ? 0 : n.getContainers().size()) + " endpoint(s) listed)");
            }
        }
        for (var v : volumes()) {
            if (replicas.isEmpty() || !owner.equals(v.getValue())) {
                orphans.add("volume " + v.getKey() + " (" + v.getValue() + ")");
            }
        }
        kernelDevices().forEach(d -> orphans.add("kernel device " + d));
        return new Findings(duplicates, orphans, stuck);
    }

    /**
     * Links whose ifalias names this instance ({@code berth:<instance>:<network>}): the loop declares no Berth
     * Network, so any such device is left over.
     */
    private List<String> kernelDevices() {
        try {
            Process ip = new ProcessBuilder("ip", "-j", "-d", "link", "show").redirectErrorStream(true).start();
            byte[] out = ip.getInputStream().readAllBytes();
            ip.waitFor();
            List<String> found = new ArrayList<>();
            for (var link : new com.fasterxml.jackson.databind.ObjectMapper().readTree(out)) {
                if (link.path("ifalias").asText("").startsWith("berth:" + instance + ":")) {
                    found.add(link.path("ifname").asText());
                }
            }
            return found;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list links", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Volumes with the instance's label, by name with their owner label (Berth labels none today; a change would show). */
    private List<Map.Entry<String, String>> volumes() {
        var response = docker.listVolumesCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + instance)).exec();
        if (response.getVolumes() == null) {
            return List.of();
        }
        return response.getVolumes().stream().map(v -> Map.entry(v.getName(),
                String.valueOf(v.getLabels() == null ? null : v.getLabels().get(BerthLabels.OWNER)))).toList();
    }
}
