package dev.berth.operator.overlay;

import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.overlay.OverlayHost;
import dev.berth.reconcilers.overlay.OverlayNames;
import dev.berth.reconcilers.overlay.OverlayPlans;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every peer of every Network this host takes part in through the overlay, every {@code interval}: one small
 * and one full-size ping (DF set) from this host's gateway on the Network to the peer's, unless this host has no FDB
 * entry towards the peer (then nothing would be sent: {@code nofdb}). Results go to etcd as this host's
 * {@link ProbeReport} per Network (only when something changed, see {@link ProbeTracker}) and to the metrics.
 *
 * <p>Runs on threads of its own (one for the rounds, a bounded pool for the pings): a slow or hung ping never holds a
 * controller's worker. What it reads comes from the informers' caches, plus one lease listing per Network and round.
 */
public final class OverlayProber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OverlayProber.class);
    /**
     * How long a host without a record is still probed after its probes began to fail: exactly as long as it stays
     * Unknown (see {@link Reachability}), so the entries kept for it and the probes through them end together.
     */
    public static final Duration GRACE = Reachability.GRACE;
    /** Own reports of Networks this host no longer takes part in, found at start, are removed after this. */
    private static final Duration STALE_AFTER = Duration.ofSeconds(60);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(3);
    private static final int SMALL = 56;
    /** IPv4 (20) and ICMP (8) headers: a payload of MTU − 28 makes a packet of exactly the Network's MTU. */
    private static final int HEADERS = 28;
    private static final int POOL = 8;
    /** A path MTU the kernel cached for a destination ({@code ip -o route get}: "cache expires 599sec mtu 1350"). */
    private static final java.util.regex.Pattern CACHED_MTU = java.util.regex.Pattern.compile("cache.*\\bmtu \\d+");

    private final String self;
    private final Supplier<HostRecord> ownRecord;
    private final EtcdInformer<HostRecord> hosts;
    private final DesiredInformer networks;
    private final EtcdInformer<StoredValue> reports;
    private final EtcdSubnetLeases leases;
    private final ProbeReportStore store;
    private final OverlayHost underlay;
    private final Optional<String> netns;
    private final HostCommands commands;
    private final ProbeMetrics metrics;
    private final Duration interval;
    private final Clock clock;
    private final ProbeTracker tracker = new ProbeTracker();
    private final Set<String> reportedThisRun = new HashSet<>();
    private final java.util.concurrent.atomic.AtomicBoolean warnedPing = new java.util.concurrent.atomic.AtomicBoolean();
    private final ScheduledExecutorService rounds;
    private final ExecutorService pings;
    private Instant startedAt;
    private int underlayMtu;

    public OverlayProber(String self, Supplier<HostRecord> ownRecord, EtcdInformer<HostRecord> hosts,
                         DesiredInformer networks, EtcdInformer<StoredValue> reports, EtcdSubnetLeases leases,
                         ProbeReportStore store, OverlayHost underlay, Optional<String> netns, ProbeMetrics metrics,
                         Duration interval, Clock clock) {
        this.self = self;
        this.ownRecord = ownRecord;
        this.hosts = hosts;
        this.networks = networks;
        this.reports = reports;
        this.leases = leases;
        this.store = store;
        this.underlay = underlay;
        this.netns = netns;
        this.commands = new HostCommands(netns);
        this.metrics = metrics;
        this.interval = interval;
        this.clock = clock;
        this.underlayMtu = underlay.underlayMtu();
        rounds = Executors.newSingleThreadScheduledExecutor(daemon("overlay-prober"));
        pings = Executors.newFixedThreadPool(POOL, daemon("overlay-probe"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public void start() {
        startedAt = clock.instant();
        rounds.scheduleWithFixedDelay(this::round, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
        try {
            if (hosts.synced() && networks.synced() && reports.synced()) {
                probeAll();
            }
        } catch (RuntimeException e) {
            log.warn("overlay probes: round failed, next in {} ms: {}", interval.toMillis(), e.toString());
        }
    }

    private void probeAll() {
        Instant now = clock.instant();
        List<ProbeReport> stored = new ArrayList<>();
        for (String name : reports.names()) {
            reports.get(name).flatMap(v -> ProbeReportStore.decode(v.value())).ifPresent(stored::add);
        }
        List<HostRecord> live = hosts.names().stream().map(hosts::get).flatMap(Optional::stream).toList();
        Map<String, HostRecord.HostNetwork> mine = new TreeMap<>();
        ownRecord.get().networks().forEach(n -> mine.put(n.name(), n));
        removeReportsOfNetworksLeft(mine.keySet(), stored, now);
        underlayMtu = currentUnderlayMtu();

        Map<String, Map<ProbeTargets.Target, Future<ProbeTracker.Observation>>> running = new LinkedHashMap<>();
        Map<String, Integer> mtus = new HashMap<>();
        for (HostRecord.HostNetwork network : mine.values()) {
            Optional<NetworkSpec> spec = networks.get(network.name()).filter(StoredObject::valid)
                    .flatMap(StoredObject::resource).map(r -> r.spec(NetworkSpec.class));
            Map<String, String> gateways = gateways(network.name());
            String ownGateway = gateways.get(self);
            if (spec.isEmpty() || ownGateway == null) {
                continue;
            }
            stored.stream().filter(r -> r.host().equals(self) && r.network().equals(network.name()))
                    .findFirst().ifPresent(tracker::seed);
            int mtu = OverlayPlans.mtu(spec.get(), underlay);
            mtus.put(network.name(), mtu);
            Set<String> fdb = fdbDestinations(OverlayNames.vxlan(spec.get().vni()));
            Map<ProbeTargets.Target, Future<ProbeTracker.Observation>> peers = new LinkedHashMap<>();
            for (ProbeTargets.Target target : ProbeTargets.of(self, network.name(), live, gateways, stored, now, GRACE)) {
                peers.put(target, pings.submit(() -> probe(target, ownGateway, mtu, fdb)));
            }
            running.put(network.name(), peers);
        }
        Map<String, Integer> reachable = new TreeMap<>();
        long deadline = System.nanoTime() + PING_TIMEOUT.multipliedBy(2).plusSeconds(2).toNanos();
        running.forEach((network, peers) -> {
            Map<String, ProbeTracker.Observation> observed = new TreeMap<>();
            // A probe that overran its time had no answer in time: unreachable for this round.
            peers.forEach((target, future) -> observed.put(target.host(), await(future, deadline).orElse(
                    new ProbeTracker.Observation(ProbeReport.UNREACHABLE, null, target.underlayIp(), target.gateway()))));
            reachable.put(network, (int) observed.values().stream()
                    .filter(o -> ProbeReport.OK.equals(o.state()) || ProbeReport.MTU.equals(o.state())).count());
            observed.values().stream().filter(o -> o.rttMicros() != null).forEach(o -> metrics.rtt(network, o.rttMicros()));
            report(network, mtus.get(network), observed, now);
        });
        metrics.round(reachable);
    }

    private void report(String network, int mtu, Map<String, ProbeTracker.Observation> observed, Instant now) {
        ProbeTracker.Update update = tracker.next(self, network, mtu, underlayMtu, observed, now);
        update.changes().forEach(change -> log.info("network/{}: probe of peer {}", network, change));
        if (!update.publish()) {
            return;
        }
        try {
            store.put(update.report());
            tracker.published(update.report(), now);
            reportedThisRun.add(network);
        } catch (StoreException e) {
            // Not marked published: the next round writes it again.
            log.warn("network/{}: cannot store this host's probe report: {}", network, e.getMessage());
        }
    }

    /** This host's reports of Networks it left: removed at once if written in this run, else after a start-up grace. */
    private void removeReportsOfNetworksLeft(Set<String> mine, List<ProbeReport> stored, Instant now) {
        for (ProbeReport r : stored) {
            if (!r.host().equals(self) || mine.contains(r.network())) {
                continue;
            }
            if (reportedThisRun.contains(r.network()) || now.isAfter(startedAt.plus(STALE_AFTER))) {
                try {
                    store.delete(r.network(), self);
                    tracker.forget(r.network());
                    reportedThisRun.remove(r.network());
                    log.info("network/{}: this host no longer takes part; its probe report removed", r.network());
                } catch (StoreException e) {
                    log.warn("network/{}: cannot remove this host's probe report: {}", r.network(), e.getMessage());
                }
            }
        }
    }

    private ProbeTracker.Observation probe(ProbeTargets.Target target, String ownGateway, int mtu, Set<String> fdb) {
        if (!fdb.contains(target.underlayIp())) {
            return new ProbeTracker.Observation(ProbeReport.NO_FDB, null, target.underlayIp(), target.gateway());
        }
        HostCommands.Result smallRun = ping(SMALL, ownGateway, target.gateway());
        PingOutput.Answer small = PingOutput.parse(smallRun.exitCode(), smallRun.output());
        if (smallRun.exitCode() != 0 && smallRun.exitCode() != 1 && warnedPing.compareAndSet(false, true)) {
            // Exit 2 or a command that did not run: ping itself fails (missing, no ICMP socket allowed), not the path.
            log.warn("overlay probes: ping does not work on this host, every peer shows unreachable: {}",
                    smallRun.output().strip().replace('\n', ' '));
        }
        PingOutput.Answer full = fullSize(mtu - HEADERS, ownGateway, target.gateway());
        // A full-size answer proves the path whatever happened to the small one (a single lost packet).
        String state = full.answered() ? ProbeReport.OK : small.answered() ? ProbeReport.MTU : ProbeReport.UNREACHABLE;
        Long rtt = small.answered() ? small.rttMicros() : null;
        return new ProbeTracker.Observation(state, rtt, target.underlayIp(), target.gateway());
    }

    /** One ping with DF set ({@code -M do}), so a packet the path cannot carry is not fragmented on the way. */
    private HostCommands.Result ping(int size, String from, String to) {
        return commands.run(List.of("ping", "-n", "-q", "-c", "1", "-W", "1", "-M", "do",
                "-s", Integer.toString(size), "-I", from, to), PING_TIMEOUT);
    }

    /**
     * The full-size probe. A failed one is looked at again when the kernel holds a path MTU for the peer's gateway
     * that it learnt from an earlier "fragmentation needed" ({@code ip route get} shows "cache ... mtu N"): that value
     * is kept up to 10 minutes ({@code net.ipv4.route.mtu_expires}) and makes every later full-size probe fail on
     * this host even after the underlay was fixed. So the namespace's cached path MTUs are dropped ({@code ip route
     * flush cache}; the kernel learns them again from the next packet that needs one) and the probe is sent once
     * more: on a path that still cannot carry it, it fails again (and the value is learnt again).
     */
    private PingOutput.Answer fullSize(int size, String from, String to) {
        HostCommands.Result first = ping(size, from, to);
        PingOutput.Answer answer = PingOutput.parse(first.exitCode(), first.output());
        if (answer.answered() || !CACHED_MTU.matcher(
                commands.run(List.of("ip", "-o", "route", "get", to, "from", from), PING_TIMEOUT).output()).find()) {
            return answer;
        }
        commands.run(List.of("ip", "route", "flush", "cache"), PING_TIMEOUT);
        HostCommands.Result again = ping(size, from, to);
        return PingOutput.parse(again.exitCode(), again.output());
    }

    /** Peers the VXLAN device sends to; empty when it cannot be read (no device: nothing is sent anywhere). */
    private Set<String> fdbDestinations(String device) {
        HostCommands.Result result = commands.run(List.of("bridge", "-j", "fdb", "show", "dev", device), PING_TIMEOUT);
        return result.exitCode() == 0 ? FdbDestinations.parse(result.output()) : Set.of();
    }

    private Map<String, String> gateways(String network) {
        Map<String, String> gateways = new HashMap<>();
        leases.ranges(network).forEach((host, range) -> gateways.put(host, Ipv4Cidr.dotted(range.base() + 1)));
        return gateways;
    }

    /** Read again every round: an underlay link's MTU can change at run time, and the report must say so. */
    private int currentUnderlayMtu() {
        try {
            return UnderlayProbe.probe(self, netns, Optional.empty(), Optional.of(underlay.underlayIp())).underlayMtu();
        } catch (RuntimeException e) {
            return underlayMtu;
        }
    }

    private static Optional<ProbeTracker.Observation> await(Future<ProbeTracker.Observation> future, long deadline) {
        try {
            return Optional.of(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            future.cancel(true);
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        rounds.shutdownNow();
        pings.shutdownNow();
    }
}
