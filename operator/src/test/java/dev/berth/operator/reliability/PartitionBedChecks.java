package dev.berth.operator.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import dev.berth.operator.TestOperator;
import dev.berth.operator.it.ReliabilityBed;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the multi-host fault tests look at on the bed, as a person would: a host's FDB flood entries, a name as a
 * container on a host resolves it, a page fetched by name from a container, a container's overlay address, and the
 * scheduler's leader. Every check answers false or empty when it cannot tell (a container gone, an exec failed): the
 * callers wait on them with a deadline.
 */
final class PartitionBedChecks {
    /** The answers of busybox nslookup; the server's own "Address:" line carries a port and does not match. */
    private static final Pattern ADDRESS = Pattern.compile("(?m)^Address:\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+)\\s*$");
    private final ReliabilityBed bed;
    private final String network;
    private final int vni;

    PartitionBedChecks(ReliabilityBed bed, String network, int vni) {
        this.bed = bed;
        this.network = network;
        this.vni = vni;
    }

    /** The peers host {@code host}'s VXLAN device floods to (its all-zero FDB entries); empty without the device. */
    Set<String> floodDestinations(int host) {
        Set<String> dst = new TreeSet<>();
        try {
            String json = ReliabilityBed.run("bridge", "-n", bed.netns(host), "-j", "fdb", "show", "dev", "bv" + vni);
            for (JsonNode entry : new ObjectMapper().readTree(json)) {
                if ("00:00:00:00:00:00".equals(entry.path("mac").asText()) && entry.has("dst")) {
                    dst.add(entry.path("dst").asText());
                }
            }
        } catch (Exception e) {
            // No device (yet): no destinations.
        }
        return dst;
    }

    /** The A answers for {@code name} as a running container of {@code stack} on {@code host} resolves it. */
    Set<String> resolves(int host, String stack, String name) {
        Set<String> addresses = new TreeSet<>();
        exec(host, stack, "timeout", "5", "nslookup", "-type=a", name).ifPresent(out -> {
            Matcher m = ADDRESS.matcher(out);
            while (m.find()) {
                addresses.add(m.group(1));
            }
        });
        return addresses;
    }

    /** Whether a running container of {@code stack} on {@code host} fetches {@code page} from {@code url}. */
    boolean fetches(int host, String stack, String url, String page) {
        return exec(host, stack, "timeout", "5", "wget", "-q", "-O", "-", url).map(out -> out.strip().equals(page))
                .orElse(false);
    }

    /** The container's address on the bed's Network, empty while it has none. */
    Optional<String> overlayIp(int host, String containerId) {
        try {
            ContainerNetwork n = bed.harness(host).docker.inspectContainerCmd(containerId).exec().getNetworkSettings()
                    .getNetworks().get(network);
            return Optional.ofNullable(n).map(ContainerNetwork::getIpAddress).filter(ip -> !ip.isEmpty());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The scheduler's leader (the host name in its election key), empty while there is none or etcd does not say. */
    Optional<String> schedulerLeader() {
        try {
            ByteSequence key = ByteSequence.from(bed.etcd().keys.base() + "elections/scheduler", StandardCharsets.UTF_8);
            return Optional.of(bed.etcd().client.getElectionClient().leader(key).get(5, TimeUnit.SECONDS).getKv()
                    .getValue().toString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The output of a command in the first running container of {@code stack} on {@code host}, when it exits 0. */
    private Optional<String> exec(int host, String stack, String... command) {
        TestOperator harness = bed.harness(host);
        List<Container> running = harness.running(stack);
        if (running.isEmpty()) {
            return Optional.empty();
        }
        try {
            DockerClient docker = harness.docker;
            String exec = docker.execCreateCmd(running.get(0).getId()).withCmd(command).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
            List<String> out = new ArrayList<>();
            docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        out.add(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }
            }).awaitCompletion(20, TimeUnit.SECONDS);
            Long code = docker.inspectExecCmd(exec).exec().getExitCodeLong();
            synchronized (out) {
                return code != null && code == 0 ? Optional.of(String.join("", out)) : Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
