package dev.berth.operator.overlay;

import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.StoredValue;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link Reachability} now, from the live host records and the stored probe reports as this operator's informers
 * mirror them (the probe informer is the prober's too: raw values, decoded here once per revision). Before both are
 * listed nothing may be concluded from it: {@link #synced()} says when. A report that does not decode, or whose body
 * names another key than its own, counts as none: it keeps nobody Unknown.
 */
public final class ReachabilityView {
    private final EtcdInformer<HostRecord> hosts;
    private final EtcdInformer<StoredValue> probes;
    private final Clock clock;
    private final Duration grace;
    private final Map<String, Decoded> decoded = new ConcurrentHashMap<>();

    private record Decoded(long revision, Optional<ProbeReport> report) {
    }

    /** @param probes the raw reports under {@code v1/probes/}, named {@code <network>/<host>} */
    public ReachabilityView(EtcdInformer<HostRecord> hosts, EtcdInformer<StoredValue> probes, Clock clock, Duration grace) {
        this.hosts = hosts;
        this.probes = probes;
        this.clock = clock;
        this.grace = grace;
    }

    public boolean synced() {
        return hosts.synced() && probes.synced();
    }

    /** The probe reports' informer: controllers that keep Unknown hosts watch it. */
    public EtcdInformer<StoredValue> probes() {
        return probes;
    }

    /**
     * A handler for the probe informer that asks for {@code keys} only when what it implies changed (a host turned
     * Unknown or stopped being one, a grace began): reports are rewritten for new round-trip times too, and each of
     * those would otherwise send every key around again. One per controller: it remembers what it last saw.
     */
    public Function<String, Collection<String>> onChange(Supplier<Collection<String>> keys) {
        AtomicReference<String> last = new AtomicReference<>();
        return report -> {
            String now = now().signature();
            return now.equals(last.getAndSet(now)) ? List.of() : keys.get();
        };
    }

    public Reachability now() {
        List<ProbeReport> reports = new ArrayList<>();
        for (String name : probes.names()) {
            probes.get(name).flatMap(value -> report(name, value)).ifPresent(reports::add);
        }
        decoded.keySet().retainAll(probes.names());
        return new Reachability(hosts.names(), reports, clock.instant(), grace);
    }

    private Optional<ProbeReport> report(String name, StoredValue value) {
        Decoded known = decoded.get(name);
        if (known != null && known.revision() == value.modRevision()) {
            return known.report();
        }
        Optional<ProbeReport> report = ProbeReportStore.decode(value.value())
                .filter(r -> name.equals(r.network() + "/" + r.host()));
        decoded.put(name, new Decoded(value.modRevision(), report));
        return report;
    }
}
