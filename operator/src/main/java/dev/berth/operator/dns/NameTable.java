package dev.berth.operator.dns;

import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.reconcilers.docker.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure: the Berth names one operator answers, from the endpoint lists every host publishes (Network → host → list).
 * Only the lists of {@code counted} hosts are read (live, or Unknown: their containers may well run); a list of a host
 * that left for good is stale.
 *
 * <p>A query is asked by a container identified by the Network whose gateway received it and its source address.
 * That container sees names only on its own Berth Networks (every Network listing an endpoint with its container
 * name). An address no list holds sees the receiving Network only if it is in this host's range of that Network (a
 * container that joined it a moment ago, not yet published); any other address (a container on a stack's own network
 * asking the gateway across the host) sees no Berth names: its queries are forwarded. A container of another Network
 * that reaches this gateway through the host sees its own Networks, not this one.
 *
 * <ul>
 *   <li>{@code <service>}: the ready replicas of that service in the asker's own stack; a service's alias
 *   answers like its name; such a name of the asker's stack (declared or listed) answers alone, never mixed with a
 *   container of that name;</li>
 *   <li>{@code <service>.<stack>}: the ready replicas of that stack's service (or of the service with that alias);</li>
 *   <li>{@code <stack>-<service>-<n>}: that container while it is listed (running), ready or not, as Docker's own
 *   DNS answers a container name: one replica is reached by name to look at it, healthy or not; the same for a
 *   kept {@code containerName}, unless the asker's own stack has a service or alias of that name.</li>
 * </ul>
 * Each target answers with its address on a Network the asker shares (the receiving one first). {@code x.y} is a
 * Berth name only when a stack {@code y} declares (or a list shows) a service {@code x}: a stack named like a
 * top-level domain ({@code com}) takes no outside names away, and a declared service with no replica running is
 * NXDOMAIN, never sent to the outside world's resolvers.
 */
public final class NameTable {
    /** What the responder does with a query. */
    public enum Kind {
        /** A records: {@link Answer#ips()}. */
        ANSWERED,
        /** The name exists but has no records of the type asked (AAAA): NOERROR, no answers. NXDOMAIN would make musl give up on A too. */
        NODATA,
        /** A Berth-looking name the asker cannot see. */
        NXDOMAIN,
        /** Not a Berth name: the upstream resolvers answer. */
        FORWARD
    }

    /** The outcome of one query; {@code ips} in the order to send (shuffled), empty unless answered. */
    public record Answer(Kind kind, List<String> ips) {
        public Answer {
            ips = List.copyOf(ips);
        }

        static final Answer NODATA = new Answer(Kind.NODATA, List.of());
        static final Answer NXDOMAIN = new Answer(Kind.NXDOMAIN, List.of());
        static final Answer FORWARD = new Answer(Kind.FORWARD, List.of());
    }

    /** The only record type a Berth name has. */
    public static final int TYPE_A = 1;

    /** A listed endpoint with where it is listed. */
    private record Listed(String network, String host, Endpoint endpoint) {
    }

    /** By network: endpoints of counted hosts, in host order, each with an address. */
    private final Map<String, List<Listed>> byNetwork = new TreeMap<>();
    /** By lower-case container name: the Networks it is listed on. */
    private final Map<String, Set<String>> networksOf = new HashMap<>();
    /** Lower-case "service.stack" of every listed service: what makes {@code x.y} a Berth name. */
    private final Set<String> services = new HashSet<>();
    /** This host's range of each Network it takes part in: where its own, maybe not yet listed, containers are. */
    private final Map<String, Ipv4Cidr> localRanges;

    /**
     * @param lists       Network → host → that host's endpoint list on the Network
     * @param counted     hosts whose lists count
     * @param localRanges this host's range of each Network it takes part in
     * @param declared    every declared service as "service.stack" (the Stacks in etcd)
     */
    public NameTable(Map<String, Map<String, List<Endpoint>>> lists, Set<String> counted, Map<String, Ipv4Cidr> localRanges,
                     Set<String> declared) {
        this.localRanges = Map.copyOf(localRanges);
        declared.forEach(d -> services.add(lower(d)));
        new TreeMap<>(lists).forEach((network, byHost) -> new TreeMap<>(byHost).forEach((host, endpoints) -> {
            if (!counted.contains(host) || endpoints == null) {
                return;
            }
            for (Endpoint e : endpoints) {
                if (e == null || e.ip() == null || e.ip().isBlank()) {
                    continue;
                }
                byNetwork.computeIfAbsent(network, k -> new ArrayList<>()).add(new Listed(network, host, e));
                if (e.container() != null) {
                    networksOf.computeIfAbsent(lower(e.container()), k -> new HashSet<>()).add(network);
                }
                if (e.stack() != null && e.service() != null) {
                    services.add(lower(e.service()) + "." + lower(e.stack()));
                    e.aliases().forEach(a -> services.add(lower(a) + "." + lower(e.stack())));
                }
            }
        }));
    }

    /**
     * Answers {@code name} (any case, trailing dot or not) of record type {@code type} (DNS type number) asked from
     * {@code source} through {@code network}'s gateway; A records in an order drawn from {@code random}.
     */
    public Answer answer(String network, String source, String name, int type, Random random) {
        String fqdn = lower(name);
        if (fqdn.endsWith(".")) {
            fqdn = fqdn.substring(0, fqdn.length() - 1);
        }
        if (fqdn.isEmpty()) {
            return Answer.FORWARD;
        }
        String[] labels = fqdn.split("\\.", -1);
        Asker asker = asker(network, source);
        if (asker == null) {
            return Answer.FORWARD;
        }
        List<String> ips;
        if (labels.length == 1) {
            ips = single(asker, labels[0]);
        } else if (labels.length == 2 && services.contains(fqdn)) {
            ips = serviceOf(asker, labels[1], labels[0]);
        } else {
            return Answer.FORWARD;
        }
        if (ips.isEmpty()) {
            return Answer.NXDOMAIN;
        }
        if (type != TYPE_A) {
            return Answer.NODATA;
        }
        List<String> shuffled = new ArrayList<>(ips);
        Collections.shuffle(shuffled, random);
        return new Answer(Kind.ANSWERED, shuffled);
    }

    /** The container asking: its stack (null when unknown) and the Networks whose names it sees, receiving one first. */
    private record Asker(String stack, List<String> networks) {
    }

    /** Null: an address that is no Berth container of this host, which sees no Berth names. */
    private Asker asker(String network, String source) {
        for (Listed listed : byNetwork.getOrDefault(network, List.of())) {
            Endpoint e = listed.endpoint();
            if (e.ip().equals(source) && e.container() != null) {
                List<String> networks = new ArrayList<>();
                networks.add(network);
                new TreeSet<>(networksOf.getOrDefault(lower(e.container()), Set.of())).stream()
                        .filter(n -> !n.equals(network)).forEach(networks::add);
                return new Asker(e.stack() == null ? null : lower(e.stack()), networks);
            }
        }
        // Not on the receiving Network: a container of another Berth Network asking this gateway across the host (the
        // host answers on all its addresses) sees its own Networks, not the one it reached.
        for (Map.Entry<String, List<Listed>> other : byNetwork.entrySet()) {
            for (Listed listed : other.getValue()) {
                Endpoint e = listed.endpoint();
                if (e.ip().equals(source) && e.container() != null) {
                    return new Asker(e.stack() == null ? null : lower(e.stack()),
                            List.copyOf(new TreeSet<>(networksOf.getOrDefault(lower(e.container()), Set.of()))));
                }
            }
        }
        Ipv4Cidr here = localRanges.get(network);
        return here != null && here.containsAddress(source) ? new Asker(null, List.of(network)) : null;
    }

    /**
     * A single label: a service (or alias) of the asker's own stack, else a container name. The stack's own name wins
     * alone, even with no replica ready (NXDOMAIN, not someone else's container): a kept {@code containerName} of
     * another stack ({@code db}) is a plain label like a service name and must never join, or stand in for, the
     * asker's own service's answer. Container names answer ready or not, as Docker's DNS does.
     */
    private List<String> single(Asker asker, String label) {
        if (asker.stack() != null && services.contains(label + "." + asker.stack())) {
            return serviceOf(asker, asker.stack(), label);
        }
        Targets targets = new Targets();
        for (String network : asker.networks()) {
            for (Listed listed : byNetwork.getOrDefault(network, List.of())) {
                if (label.equals(lower(listed.endpoint().container()))) {
                    targets.add(listed);
                }
            }
        }
        return targets.ips();
    }

    private List<String> serviceOf(Asker asker, String stack, String service) {
        Targets targets = new Targets();
        for (String network : asker.networks()) {
            for (Listed listed : byNetwork.getOrDefault(network, List.of())) {
                Endpoint e = listed.endpoint();
                if (e.ready() && stack.equals(lower(e.stack())) && answersTo(e, service)) {
                    targets.add(listed);
                }
            }
        }
        return targets.ips();
    }

    /** The endpoint's service is called {@code name} (lower case): by its name or one of its aliases. */
    private static boolean answersTo(Endpoint e, String name) {
        return name.equals(lower(e.service())) || e.aliases().stream().anyMatch(a -> name.equals(lower(a)));
    }

    /**
     * Targets, one address each: the first Network a target is seen on wins (the asker's Networks are walked receiving
     * Network first). A target is a container (by host and name); one without a name is its own address.
     */
    private static final class Targets {
        private final Map<String, String> ipByTarget = new TreeMap<>();

        void add(Listed listed) {
            Endpoint e = listed.endpoint();
            String target = e.container() == null ? "ip:" + e.ip() : listed.host() + "/" + lower(e.container());
            ipByTarget.putIfAbsent(target, e.ip());
        }

        List<String> ips() {
            return ipByTarget.values().stream().distinct().sorted().toList();
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
