package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three Docker hosts in namespaces, one overlay Network, one stack pinned per host (global mode on that host). */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@RunsOnOwnHosts
class OverlayTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static OverlayTestBed bed;
    private static int vni;
    private static String network;
    private static String subnet;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new OverlayTestBed(3);
        bed.startOperators();
        vni = 100000 + Integer.parseInt(bed.id, 16);
        network = "ov" + bed.id;
        subnet = "10." + (bed.underlayOctet - 50) + ".0.0/16";
        first().apply(Manifest.network(network, "vni: " + vni + "\nsubnet: " + subnet));
        for (OverlayTestBed.Host host : bed.hosts) {
            first().apply(stackOn(host));
        }
        for (OverlayTestBed.Host host : bed.hosts) {
            host.harness.awaitReady(stackName(host), 1);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    private static TestOperator first() {
        return bed.hosts.get(0).harness;
    }

    private static String stackName(OverlayTestBed.Host host) {
        return host.harness.instance + "-ov";
    }

    private static String stackOn(OverlayTestBed.Host host) {
        return allHostsStack(stackName(host), List.of(host.harness.host));
    }

    private static Container container(OverlayTestBed.Host host) {
        return host.harness.containers(stackName(host)).get(0);
    }

    private static String overlayIp(OverlayTestBed.Host host) {
        return host.harness.docker.inspectContainerCmd(container(host).getId()).exec().getNetworkSettings()
                .getNetworks().get(network).getIpAddress();
    }

    private static int exec(OverlayTestBed.Host host, String... command) throws Exception {
        DockerClient docker = host.harness.docker;
        ExecCreateCmdResponse exec = docker.execCreateCmd(container(host).getId()).withCmd(command)
                .withAttachStdout(true).withAttachStderr(true).exec();
        docker.execStartCmd(exec.getId()).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<>())
                .awaitCompletion(30, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        return code == null ? -1 : code.intValue();
    }

    private static Set<String> floodDestinations(OverlayTestBed.Host host) throws Exception {
        String json = OverlayTestBed.run("bridge", "-n", host.netns, "-j", "fdb", "show", "dev", "bv" + vni);
        Set<String> dst = new HashSet<>();
        for (JsonNode entry : new ObjectMapper().readTree(json)) {
            if ("00:00:00:00:00:00".equals(entry.path("mac").asText()) && entry.has("dst")) {
                dst.add(entry.path("dst").asText());
            }
        }
        return dst;
    }

    private static Set<String> othersOf(OverlayTestBed.Host host) {
        Set<String> others = new HashSet<>();
        bed.hosts.stream().filter(h -> h != host).forEach(h -> others.add(h.underlayIp));
        return others;
    }

    /**
     * The overlay's Docker network is made through the same instrumented Docker as the stacks' containers, so its
     * calls count in berth_docker_*. The stacks here join only the overlay, so every network create is the overlay's.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void theOverlaysDockerCallsShowInTheDockerMetrics() {
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, "the overlay's Docker network create counted on " + host.harness.host, () ->
                    host.harness.metric("berth_docker_requests_total",
                            "{operation=\"create_network\",outcome=\"success\"}") >= 1);
        }
    }

    @Test
    void containersOnThreeHostsReachEachOtherOverTheOverlay() throws Exception {
        for (OverlayTestBed.Host from : bed.hosts) {
            for (OverlayTestBed.Host to : bed.hosts) {
                if (from == to) {
                    continue;
                }
                String ip = overlayIp(to);
                Await.until(WAIT, container(from).getNames()[0] + " pings " + ip, () -> {
                    try {
                        return exec(from, "ping", "-c", "1", "-W", "2", ip) == 0;
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertEquals(0, exec(from, "wget", "-q", "-O", "/dev/null", "http://" + ip + ":8080/"),
                        "HTTP from " + from.harness.host + " to " + ip);
            }
        }
    }

    @Test
    void fdbListsExactlyTheOtherHosts() throws Exception {
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, "fdb of " + host.harness.host + " = the two other hosts",
                    () -> {
                        try {
                            return floodDestinations(host).equals(othersOf(host));
                        } catch (Exception e) {
                            return false;
                        }
                    });
        }
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, "overlay metrics of " + host.harness.host, () ->
                    host.harness.metric("berth_overlay_peers", "network=\"" + network + "\"") == 2
                            && host.harness.metric("berth_link_operations_total",
                            "operation=\"create_vxlan\"", "outcome=\"success\"") >= 1);
        }
        Set<String> ranges = new HashSet<>();
        for (OverlayTestBed.Host host : bed.hosts) {
            String range = host.harness.docker.inspectNetworkCmd().withNetworkId(network).exec().getIpam().getConfig()
                    .get(0).getIpRange();
            assertTrue(ranges.add(range), "each host has its own range: " + ranges + " + " + range);
        }
    }

    @Test
    void kernelDriftIsRepairedWithinAResync() throws Exception {
        OverlayTestBed.Host host = bed.hosts.get(1);
        String ns = host.netns;
        String dev = "bv" + vni;
        OverlayTestBed.run("ip", "-n", ns, "link", "set", dev, "down");
        awaitUp(host);
        OverlayTestBed.run("ip", "-n", ns, "link", "set", dev, "nomaster");
        Await.until(WAIT, "device enslaved again", () -> {
            try {
                return OverlayTestBed.run("ip", "-n", ns, "-j", "link", "show", dev).contains("\"master\":\"bb" + vni + "\"");
            } catch (Exception e) {
                return false;
            }
        });
        String peer = othersOf(host).iterator().next();
        OverlayTestBed.run("bridge", "-n", ns, "fdb", "del", "00:00:00:00:00:00", "dev", dev, "dst", peer, "self");
        Await.until(WAIT, "fdb entry back", () -> {
            try {
                return floodDestinations(host).equals(othersOf(host));
            } catch (Exception e) {
                return false;
            }
        });
        OverlayTestBed.run("ip", "-n", ns, "link", "del", dev);
        awaitUp(host);
        Await.until(WAIT, "fdb entries back on the recreated device", () -> {
            try {
                return floodDestinations(host).equals(othersOf(host));
            } catch (Exception e) {
                return false;
            }
        });

        // Docker refuses to remove a network with containers on it: a person removes the container first.
        String before = container(host).getId();
        host.harness.docker.removeContainerCmd(before).withForce(true).exec();
        host.harness.docker.removeNetworkCmd(network).exec();
        Await.until(WAIT, "Docker network and container put back", () -> host.harness.isReady(stackName(host), 1)
                && !container(host).getId().equals(before), () -> host.harness.describeStatus(stackName(host)));
        awaitUp(host);
        Await.until(WAIT, "device enslaved to the new bridge", () -> {
            try {
                return OverlayTestBed.run("ip", "-n", ns, "-j", "link", "show", dev).contains("\"master\":\"bb" + vni + "\"");
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static void awaitUp(OverlayTestBed.Host host) {
        Await.until(WAIT, "device up again", () -> {
            try {
                return OverlayTestBed.run("ip", "-n", host.netns, "-j", "link", "show", "bv" + vni).contains("\"UP\"");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aHostThatLeavesIsDroppedFromEveryFdbAndComesBack() throws Exception {
        OverlayTestBed.Host leaving = bed.hosts.get(2);
        leaving.harness.stopOperator();
        // Gone for real: its containers still run, so while the overlay reaches it it would stay (Unknown).
        OverlayTestBed.run("ip", "-n", leaving.netns, "link", "set", "ul0", "down");
        try {
            for (OverlayTestBed.Host host : bed.hosts.subList(0, 2)) {
                Await.until(WAIT, host.harness.host + " drops " + leaving.underlayIp, () -> {
                    try {
                        return !floodDestinations(host).contains(leaving.underlayIp);
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        } finally {
            OverlayTestBed.run("ip", "-n", leaving.netns, "link", "set", "ul0", "up");
        }
        leaving.harness.start();
        for (OverlayTestBed.Host host : bed.hosts.subList(0, 2)) {
            Await.until(WAIT, host.harness.host + " has " + leaving.underlayIp + " again", () -> {
                try {
                    return floodDestinations(host).contains(leaving.underlayIp);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE - 1)
    void unicastModeProgramsEveryRemoteContainer() throws Exception {
        first().apply(Manifest.network(network, "vni: " + vni + "\nsubnet: " + subnet + "\nmode: unicast"));
        for (OverlayTestBed.Host host : bed.hosts) {
            Set<String> expected = new HashSet<>();
            for (OverlayTestBed.Host other : bed.hosts) {
                if (other != host) {
                    String mac = other.harness.docker.inspectContainerCmd(container(other).getId()).exec()
                            .getNetworkSettings().getNetworks().get(network).getMacAddress();
                    expected.add(mac + "@" + other.underlayIp);
                }
            }
            Await.until(WAIT, host.harness.host + " has every remote container's MAC -> its host", () -> {
                try {
                    return unicastEntries(host).equals(expected);
                } catch (Exception e) {
                    return false;
                }
            }, () -> {
                try {
                    return unicastEntries(host) + " expected " + expected;
                } catch (Exception e) {
                    return e.toString();
                }
            });
            String neigh = OverlayTestBed.run("ip", "-n", host.netns, "neigh", "show", "nud", "permanent", "dev", "bb" + vni);
            for (OverlayTestBed.Host other : bed.hosts) {
                if (other != host) {
                    assertTrue(neigh.contains(overlayIp(other)), "neighbour entry for " + overlayIp(other) + ": " + neigh);
                }
            }
        }
        containersOnThreeHostsReachEachOtherOverTheOverlay();
    }

    private static Set<String> unicastEntries(OverlayTestBed.Host host) throws Exception {
        String json = OverlayTestBed.run("bridge", "-n", host.netns, "-j", "fdb", "show", "dev", "bv" + vni);
        Set<String> entries = new HashSet<>();
        for (JsonNode entry : new ObjectMapper().readTree(json)) {
            String mac = entry.path("mac").asText();
            if (!"00:00:00:00:00:00".equals(mac) && entry.has("dst") && "permanent".equals(entry.path("state").asText())) {
                entries.add(mac + "@" + entry.path("dst").asText());
            }
        }
        return entries;
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE - 2)
    void aRouteOverTheOverlayListsEveryHostsContainerAndEachAnswersFromTheUnderlay() throws Exception {
        String everywhere = bed.hosts.get(0).harness.instance + "-all";
        String route = bed.hosts.get(0).harness.instance + "-rt";
        first().apply(allHostsStack(everywhere, List.of()) + routeYaml(route, everywhere, ", network: " + network));
        Set<String> expected = new HashSet<>();
        for (OverlayTestBed.Host host : bed.hosts) {
            // Listed is not enough: the container has its overlay address only once it has started.
            Await.until(WAIT, "the all-hosts stack running on " + host.harness.host + " with its overlay address",
                    () -> host.harness.containers(everywhere).size() == 1 && !overlayIpOf(host, everywhere).isEmpty());
            expected.add("http://" + overlayIpOf(host, everywhere) + ":8080");
        }
        String prefix = awaitServers(route, expected, "one server per host, each the container's overlay IP");
        everyServerAnswersFromEveryHost(expected);

        // The stack leaves the third host: its server leaves Traefik's list, the others stay.
        OverlayTestBed.Host third = bed.hosts.get(2);
        Set<String> remaining = new HashSet<>(expected);
        remaining.remove("http://" + overlayIpOf(third, everywhere) + ":8080");
        first().apply(allHostsStack(everywhere, List.of(bed.hosts.get(0).harness.host, bed.hosts.get(1).harness.host)));
        awaitServers(route, remaining, "the third host's server withdrawn");
        for (String url : remaining) {
            fetchFrom(third, url);
        }
        deleteRouteAndStack(route, everywhere, prefix);
    }

    @Test
    void aRouteToPublishedPortsListsEveryHostsUnderlayAddressAndEachAnswers() throws Exception {
        String everywhere = bed.hosts.get(0).harness.instance + "-pub";
        String route = bed.hosts.get(0).harness.instance + "-pr";
        int port = 20000 + new java.util.Random().nextInt(10000);
        first().apply(allHostsStack(everywhere, List.of(), "ports: [{target: 8080, published: " + port + "}]")
                + routeYaml(route, everywhere, ""));
        Set<String> expected = new HashSet<>();
        bed.hosts.forEach(h -> expected.add("http://" + h.underlayIp + ":" + port));
        String prefix = awaitServers(route, expected, "one server per host, each the host's underlay address and published port");
        everyServerAnswersFromEveryHost(expected);
        deleteRouteAndStack(route, everywhere, prefix);
    }

    private static String routeYaml(String route, String stack, String targetExtra) {
        return "---\n" + Manifest.route(route, "hosts: [" + route + ".example.test]\n"
                + "target: {stack: " + stack + ", service: web, port: 8080" + targetExtra + "}");
    }

    private static String overlayIpOf(OverlayTestBed.Host host, String stack) {
        Container c = host.harness.containers(stack).get(0);
        return host.harness.docker.inspectContainerCmd(c.getId()).exec().getNetworkSettings().getNetworks().get(network)
                .getIpAddress();
    }

    /** Waits until Traefik's keys list exactly {@code expected} as the route's servers; returns their key prefix. */
    private static String awaitServers(String route, Set<String> expected, String what) {
        String prefix = bed.traefikRoot() + "/http/services/berth-" + route + "/loadBalancer/servers/";
        Await.until(WAIT, what, () -> serverUrls(prefix).equals(expected), () -> serverUrls(prefix) + " expected " + expected);
        return prefix;
    }

    /** Each URL answers from each host's own namespace (the underlay side), each from a different container. */
    private static void everyServerAnswersFromEveryHost(Set<String> urls) throws IOException {
        for (OverlayTestBed.Host from : bed.hosts) {
            Set<String> answers = new HashSet<>();
            for (String url : urls) {
                answers.add(awaitAnswer(from, url));
            }
            assertEquals(urls.size(), answers.size(), "different containers answered " + from.harness.host + ": " + answers);
        }
    }

    private static void deleteRouteAndStack(String route, String stack, String serversPrefix) throws Exception {
        first().delete("Route", route);
        first().delete(stack);
        Await.until(WAIT, "the route's keys gone", () -> bed.etcd.kv.list(serversPrefix).values().isEmpty());
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, "stack " + stack + " gone from " + host.harness.host, () -> host.harness.containers(stack).isEmpty());
        }
    }

    /**
     * A one-service stack on the overlay with a container on every host (empty list) or on each host named: global
     * mode, since these tests need a container on each of those hosts (a replicated stack would put one in the
     * cluster), and a host pinned this way keeps its container while its operator is briefly stopped.
     */
    private static String allHostsStack(String name, List<String> hosts) {
        return allHostsStack(name, hosts, "networks: [" + network + "]");
    }

    private static String allHostsStack(String name, List<String> hosts, String reachedBy) {
        StackYaml stack = StackYaml.stack(name).global();
        if (!hosts.isEmpty()) {
            stack.onHosts(hosts);
        }
        return stack.shell("mkdir -p /tmp/w && hostname > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w")
                .with(reachedBy).yaml();
    }

    private static Set<String> serverUrls(String prefix) {
        Set<String> urls = new HashSet<>();
        bed.etcd.kv.list(prefix).values().stream().filter(v -> v.key().endsWith("/url")).forEach(v -> urls.add(v.value()));
        return urls;
    }

    /**
     * The page {@code url} serves to a host, once it answers: a server is listed when its container runs, and httpd
     * (and Docker's port mapping, on a busy host) can take a moment longer to accept connections.
     */
    private static String awaitAnswer(OverlayTestBed.Host from, String url) {
        java.util.concurrent.atomic.AtomicReference<String> body = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>("");
        Await.until(Duration.ofSeconds(30), url + " answering " + from.harness.host, () -> {
            try {
                body.set(fetchFrom(from, url));
                return true;
            } catch (IOException e) {
                last.set(e.getMessage());
                return false;
            }
        }, last::get);
        return body.get();
    }

    /** One HTTP GET from a host's namespace. Not busybox's -T: the static build crashes with it (exit 139). */
    private static String fetchFrom(OverlayTestBed.Host from, String url) throws IOException {
        String body = OverlayTestBed.inNetns(from.netns, "timeout", "10", "busybox", "wget", "-q", "-O", "-", url).strip();
        assertTrue(!body.isEmpty(), url + " answered " + from.harness.host + " with an empty page");
        return body;
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void deletingANetworkInUseIsRefusedAndEverythingGoesOnceTheStacksAreGone() throws Exception {
        CliRun refused = bed.etcd.cli("delete", "network", network);
        assertEquals(1, refused.exit(), refused.err());
        assertTrue(refused.err().contains("network/" + network + " is used by stack/"), refused.err());
        assertTrue(bed.etcd.kv.get(bed.etcd.keys.desired("network", network)).isPresent(), "nothing was deleted");

        for (OverlayTestBed.Host host : bed.hosts) {
            first().delete(stackName(host));
        }
        for (OverlayTestBed.Host host : bed.hosts) {
            Await.until(WAIT, "network, device and lease gone on " + host.harness.host, () -> {
                try {
                    return host.harness.docker.listNetworksCmd().withNameFilter(network).exec().isEmpty()
                            && !OverlayTestBed.run("ip", "-n", host.netns, "link", "show").contains("bv" + vni)
                            && bed.etcd.kv.get(bed.etcd.keys.base() + "leases/" + network + "/" + host.harness.host).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
        }
        assertEquals(List.of(), bed.etcd.kv.list(bed.etcd.keys.base() + "leases/" + network + "/").values(),
                "every lease and range claim given back");
        CliRun deleted = bed.etcd.cli("delete", "network", network);
        assertEquals(0, deleted.exit(), deleted.err());
    }

    @Test
    void hostsAreListedWithTheirUnderlayAndNetworks() {
        Await.until(WAIT, "three host records naming the network", () -> bed.etcd.kv.list(bed.etcd.keys.hostsPrefix())
                .values().stream().filter(v -> v.value().contains("\"" + network + "\"")).count() == 3);
        String record = bed.etcd.kv.get(bed.etcd.keys.host(bed.hosts.get(0).harness.host)).orElseThrow().value();
        assertTrue(record.contains(bed.hosts.get(0).underlayIp), record);
        assertTrue(record.contains("\"vni\":" + vni), record);
        CliRun hosts = bed.etcd.cli("get", "hosts");
        assertEquals(0, hosts.exit());
        for (OverlayTestBed.Host host : bed.hosts) {
            assertTrue(hosts.out().contains(host.underlayIp + ":4789"), hosts.out());
        }
        assertTrue(hosts.out().contains(vni + "(" + network + ")"), hosts.out());
    }
}
