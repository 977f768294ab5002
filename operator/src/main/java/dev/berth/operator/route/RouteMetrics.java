package dev.berth.operator.route;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Routes as the route leader last saw them, counted, never named (a label per Route would grow with the objects):
 * {@code berth_routes{state}}, {@code berth_route_backends{state="ready"|"total"}} summed over Routes, and
 * {@code berth_route_kv_writes_total{outcome}}, the leader's transactions on Traefik's keys. Every series is
 * registered up front. A follower serves zeros: only the leader reconciles Routes, and what it saw in a former term
 * may be stale, so a change of leadership starts the counts afresh (the new leader queues every Route).
 */
public final class RouteMetrics {
    /** A Route's state: Ready, not Ready for want of a healthy backend only, or Degraded (any other reason). */
    public enum State { READY, NO_BACKENDS, DEGRADED }

    /** How one transaction on a Route's Traefik keys ended: committed, refused for a foreign key, or failed. */
    public enum KvWrite { SUCCESS, CONFLICT, ERROR }

    private record Seen(State state, int ready, int total) {
    }

    private final Map<String, Seen> routes = new ConcurrentHashMap<>();
    private final Map<KvWrite, Counter> writes = new EnumMap<>(KvWrite.class);
    private final BooleanSupplier leader;

    public RouteMetrics(MeterRegistry registry, BooleanSupplier leader) {
        this.leader = leader;
        for (State state : State.values()) {
            Gauge.builder("berth.routes", this, m -> m.count(state)).tag("state", tag(state))
                    .description("Routes by state, as the route leader last reconciled them (0 on followers)")
                    .register(registry);
        }
        Gauge.builder("berth.route.backends", this, m -> m.backends(true)).tag("state", "ready")
                .description("Backends of every Route: healthy ones (ready) and running ones (total); 0 on followers")
                .register(registry);
        Gauge.builder("berth.route.backends", this, m -> m.backends(false)).tag("state", "total")
                .description("Backends of every Route: healthy ones (ready) and running ones (total); 0 on followers")
                .register(registry);
        for (KvWrite outcome : KvWrite.values()) {
            writes.put(outcome, Counter.builder("berth.route.kv.writes").tag("outcome", tag(outcome))
                    .description("Transactions on Traefik's keys in etcd (a Route's keys written or removed), by outcome")
                    .register(registry));
        }
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The leader reconciled a Route: its state and its backends (ready of total). */
    public void seen(String route, State state, int ready, int total) {
        routes.put(route, new Seen(state, ready, total));
    }

    /** A Route is gone from etcd. */
    public void forget(String route) {
        routes.remove(route);
    }

    /** Leadership changed: what a former term saw may be stale. */
    public void clear() {
        routes.clear();
    }

    public void kvWrite(KvWrite outcome) {
        writes.get(outcome).increment();
    }

    private double count(State state) {
        return leader.getAsBoolean() ? routes.values().stream().filter(s -> s.state() == state).count() : 0;
    }

    private double backends(boolean ready) {
        return leader.getAsBoolean() ? routes.values().stream().mapToInt(s -> ready ? s.ready() : s.total()).sum() : 0;
    }
}
