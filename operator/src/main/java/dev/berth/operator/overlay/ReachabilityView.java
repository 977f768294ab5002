package dev.berth.operator.overlay;

import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.HostRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link Reachability} now, from the live host records and the stored probe reports as this operator's informers
 * mirror them. Before both are listed nothing may be concluded from it: {@link #synced()} says when.
 */
public final class ReachabilityView {
    private final EtcdInformer<HostRecord> hosts;
    private final EtcdInformer<ProbeReport> probes;
    private final Clock clock;
    private final Duration grace;

    public ReachabilityView(EtcdInformer<HostRecord> hosts, EtcdInformer<ProbeReport> probes, Clock clock, Duration grace) {
        this.hosts = hosts;
        this.probes = probes;
        this.clock = clock;
        this.grace = grace;
    }

    public boolean synced() {
        return hosts.synced() && probes.synced();
    }

    /** The probe reports' informer: controllers that keep Unknown hosts watch it. */
    public EtcdInformer<ProbeReport> probes() {
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
        List<ProbeReport> reports = probes.names().stream().map(probes::get).flatMap(Optional::stream).toList();
        return new Reachability(hosts.names(), reports, clock.instant(), grace);
    }
}
