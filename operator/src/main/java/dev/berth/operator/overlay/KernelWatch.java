package dev.berth.operator.overlay;

import dev.berth.crds.network.NetworkSpec;
import dev.berth.reconcilers.link.KernelEvent;
import dev.berth.reconcilers.overlay.OverlayNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernel drift repaired from the kernel's own notifications, not only at resync: {@code ip monitor} (links,
 * permanent neighbours) and {@code bridge monitor fdb} run for as long as the operator does (in the managed
 * namespace when there is one); a line about a Berth device names the Network it belongs to, and that Network gets
 * a full pass. Events are gathered for a short window first, so a burst (a device recreated with all its entries)
 * is one pass. The echoes of Berth's own FDB changes are dropped ({@link OwnFdbChanges}); its own link and neighbour
 * changes still cost one more pass, which finds nothing to do and so writes nothing and causes no further event.
 */
public final class KernelWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelWatch.class);
    /** How long events are gathered before their Networks are looked at. */
    public static final Duration WINDOW = Duration.ofMillis(100);
    /** What {@link OverlayNames} calls a Network's VXLAN device or bridge. */
    private static final Pattern BERTH_NAME = Pattern.compile("b[bv][0-9]{1,8}");

    /** One monitor command and how its lines read. */
    record Monitor(String name, List<String> command, Function<String, Optional<KernelEvent>> parser) {
    }

    private final Function<KernelEvent, Collection<String>> concerned;
    private final Supplier<Collection<String>> everything;
    private final Consumer<String> changed;
    private final Duration window;
    private final List<KernelMonitor> monitors = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final Counter matched;
    private final Counter ignored;
    private final Set<String> pending = new LinkedHashSet<>();
    private boolean flushScheduled;

    /**
     * @param concerned  the Networks a kernel event is about (none: not a Berth device)
     * @param everything every Network there may be work for: looked at after a monitor restart (it heard nothing while down)
     * @param changed    called once per Network per window, on the watch's own thread
     */
    public KernelWatch(Optional<String> netns, Function<KernelEvent, Collection<String>> concerned,
                       Supplier<Collection<String>> everything, Consumer<String> changed, MeterRegistry registry) {
        this(List.of(new Monitor("link", KernelEvent.ipMonitorCommand(netns), KernelEvent::ipMonitor),
                new Monitor("fdb", KernelEvent.bridgeMonitorCommand(netns), KernelEvent::bridgeMonitor)),
                WINDOW, concerned, everything, changed, registry);
    }

    KernelWatch(List<Monitor> commands, Duration window, Function<KernelEvent, Collection<String>> concerned,
                Supplier<Collection<String>> everything, Consumer<String> changed, MeterRegistry registry) {
        this.concerned = concerned;
        this.everything = everything;
        this.changed = changed;
        this.window = window;
        this.matched = events(registry, "matched");
        this.ignored = events(registry, "ignored");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kernel-watch");
            t.setDaemon(true);
            return t;
        });
        for (Monitor m : commands) {
            Counter restarts = Counter.builder("berth.overlay.kernel.monitor.restarts").tag("monitor", m.name())
                    .description("Kernel monitor processes (ip monitor, bridge monitor) started again after they exited")
                    .register(registry);
            monitors.add(new KernelMonitor(m.name(), m.command(), line -> heard(m.parser().apply(line)),
                    this::missedSome, restarts::increment));
        }
    }

    private static Counter events(MeterRegistry registry, String result) {
        return Counter.builder("berth.overlay.kernel.events").tag("result", result)
                .description("Kernel link, FDB and neighbour notifications: matched (about a Berth Network's device, "
                        + "which gets a full pass) or ignored (not Berth's, or the echo of Berth's own FDB change)")
                .register(registry);
    }

    public void start() {
        monitors.forEach(KernelMonitor::start);
    }

    /**
     * The Networks a kernel event concerns, given the declared Networks: any change of a Network's VXLAN device or
     * of its own FDB entries; the deletion of its bridge (Docker's, whose other changes are Docker's business);
     * a permanent neighbour entry on its bridge, for unicast Networks (the only ones Berth keeps neighbours for).
     */
    public static List<String> networksConcerned(KernelEvent event, Map<String, NetworkSpec> networks) {
        List<String> names = new ArrayList<>();
        networks.forEach((name, spec) -> {
            if (spec.vni() == null) {
                return;
            }
            boolean vxlan = event.device().equals(OverlayNames.vxlan(spec.vni()));
            boolean bridge = event.device().equals(OverlayNames.bridge(spec.vni()));
            boolean yes = switch (event.kind()) {
                case LINK -> vxlan || (bridge && event.deleted());
                case FDB -> vxlan;
                case NEIGH -> bridge && spec.unicast();
            };
            if (yes) {
                names.add(name);
            }
        });
        names.sort(null);
        return names;
    }

    private void heard(Optional<KernelEvent> event) {
        // Containers' veths come and go with every start and stop: not worth looking the Networks up for.
        Collection<String> networks = event.filter(e -> BERTH_NAME.matcher(e.device()).matches()).map(concerned)
                .orElse(List.of());
        if (networks.isEmpty()) {
            ignored.increment();
            return;
        }
        matched.increment();
        log.debug("kernel event {} {}{} concerns network(s) {}", event.get().kind(), event.get().device(),
                event.get().deleted() ? " (deleted)" : "", networks);
        ask(networks);
    }

    /** A monitor was down for a while: whatever it missed is found by a full pass of everything. */
    private void missedSome() {
        ask(everything.get());
    }

    private void ask(Collection<String> networks) {
        synchronized (pending) {
            pending.addAll(networks);
            if (flushScheduled || pending.isEmpty()) {
                return;
            }
            flushScheduled = true;
        }
        try {
            // A window from the first event, not from the last: a steady trickle cannot postpone the pass for ever.
            timer.schedule(this::flush, window.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: the operator stops, and so does the need to repair.
        }
    }

    private void flush() {
        List<String> networks;
        synchronized (pending) {
            networks = List.copyOf(pending);
            pending.clear();
            flushScheduled = false;
        }
        for (String network : networks) {
            try {
                changed.accept(network);
            } catch (RuntimeException e) {
                log.warn("network/{}: asking for a pass after a kernel event failed: {}", network, e.toString());
            }
        }
    }

    @Override
    public void close() {
        monitors.forEach(KernelMonitor::close);
        timer.shutdownNow();
    }
}
