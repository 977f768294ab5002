package dev.berth.operator.route;

import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.control.StatusWriter;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.route.BackendDirectory;
import dev.berth.reconcilers.route.RouteTargets;
import dev.berth.reconcilers.route.TraefikKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Route, on the elected leader only: resolve the target's servers on every live or Unknown host (its record gone
 * but the overlay still reaches it: its containers keep serving), write the Route's Traefik keys in one transaction
 * (kv mode), and write its status. Followers do nothing.
 */
public final class RouteReconciler implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(RouteReconciler.class);
    /** Condition whose message lists the Traefik keys Berth wrote for the route, separated by spaces. */
    public static final String KEYS_WRITTEN = "KeysWritten";
    private static final Duration NOT_SYNCED_RETRY = Duration.ofMillis(500);

    private final DesiredInformer routes;
    private final DesiredInformer stacks;
    private final BackendDirectory backends;
    private final Supplier<Set<String>> liveHosts;
    private final Supplier<Optional<Duration>> hostsChangeIn;
    private final TraefikKvWriter writer;
    private final String root;
    private final BooleanSupplier leader;
    private final Supplier<StatusWriter> status;
    private final String host;
    private final Clock clock;
    private final RouteMetrics metrics;

    /**
     * @param liveHosts     hosts whose backends are servers: live records and Unknown hosts
     * @param hostsChangeIn when that set changes with no event (an Unknown host's grace ends): look again then
     * @param metrics       hears each Route's state and backends as its status is written, and its deletion
     */
    public RouteReconciler(DesiredInformer routes, DesiredInformer stacks, BackendDirectory backends,
                           Supplier<Set<String>> liveHosts, Supplier<Optional<Duration>> hostsChangeIn,
                           TraefikKvWriter writer, String root, BooleanSupplier leader, Supplier<StatusWriter> status,
                           String host, Clock clock, RouteMetrics metrics) {
        this.routes = routes;
        this.stacks = stacks;
        this.backends = backends;
        this.liveHosts = liveHosts;
        this.hostsChangeIn = hostsChangeIn;
        this.writer = writer;
        this.root = root;
        this.leader = leader;
        this.status = status;
        this.host = host;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** A pass is a few etcd calls with their own timeouts; the controller counts a pass that overruns the deadline. */
    @Override
    public ReconcileResult reconcile(String name, dev.berth.reconcilers.Deadline deadline) {
        if (!leader.getAsBoolean()) {
            return ReconcileResult.done();
        }
        if (!routes.synced() || !stacks.synced()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        ObjectKey key = new ObjectKey("route", name);
        Optional<StoredObject> object = routes.get(name);
        if (object.isEmpty()) {
            // etcd, listed successfully, says the Route is gone: delete exactly what Berth wrote for it.
            if (writer.remove(name)) {
                log.info("route/{}: deleted, its Traefik keys removed", name);
            }
            status.get().deleteEveryHost(key);
            metrics.forget(name);
            return ReconcileResult.done();
        }
        long revision = object.get().raw().modRevision();
        if (!object.get().valid()) {
            String errors = object.get().errors().stream().map(Object::toString).collect(Collectors.joining("; "));
            write(key, revision, false, "InvalidSpec", errors, null);
            return ReconcileResult.done();
        }
        RouteSpec spec = object.get().resource().orElseThrow().spec(RouteSpec.class);
        Optional<String> rival = conflict(name, spec, object.get());
        if (rival.isPresent()) {
            write(key, revision, false, "RuleConflict", "route " + name + " has the same rule and priority as route \""
                    + rival.get() + "\" (which was created first); give it another rule or priority", null);
            return ReconcileResult.done();
        }
        Optional<StoredObject> target = stacks.get(spec.target().stack());
        if (target.isPresent() && !target.get().valid()) {
            // Invalid YAML is not a deleted stack: its containers keep running, so its servers stay in Traefik.
            write(key, revision, false, "TargetInvalid", "stack \"" + spec.target().stack()
                    + "\" has invalid YAML in etcd; the route's Traefik keys are kept as they are", null);
            return ReconcileResult.done();
        }
        Optional<StackSpec> stack = target.filter(StoredObject::valid)
                .flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class));
        RouteTargets.Resolution resolution = RouteTargets.resolve(name, spec, stack,
                backends.all(spec.target().stack()), liveHosts.get());
        Map<String, ServiceCount> counts = Map.of(spec.target().service(), new ServiceCount(resolution.ready(), resolution.total()));
        if (RouteSpec.LABELS.equals(spec.mode())) {
            writer.remove(name);
            if (!resolution.ok()) {
                write(key, revision, false, resolution.reason(), resolution.message(), counts);
            } else {
                write(key, revision, resolution.ready() > 0, resolution.ready() > 0 ? "LabelsApplied" : "NoHealthyBackends",
                        "traefik.* labels on the containers of " + spec.target().stack() + "/" + spec.target().service()
                                + "; " + resolution.ready() + "/" + resolution.total() + " ready", counts);
            }
            return ReconcileResult.done();
        }
        if (!resolution.ok()) {
            // Bad target: nothing new is written; a route written before keeps its router with no servers.
            if (writer.written(name).isPresent()) {
                writer.sync(name, root, TraefikKeys.build(root, name, spec, List.of()));
            }
            write(key, revision, false, resolution.reason(), resolution.message(), counts);
            return ReconcileResult.done();
        }
        SortedMap<String, String> desired = TraefikKeys.build(root, name, spec, resolution.urls());
        TraefikKvWriter.Outcome outcome = writer.sync(name, root, desired);
        if (outcome.conflict().isPresent()) {
            write(key, revision, false, "KeyConflict", "Traefik key " + outcome.conflict().get()
                    + " exists and was not written by Berth; it is left alone and this route is not written", counts);
            return ReconcileResult.done();
        }
        if (outcome.changed()) {
            log.info("route/{}: {} Traefik key(s) written, {}/{} backends ready", name, desired.size(), resolution.ready(),
                    resolution.total());
        }
        boolean ready = resolution.ready() > 0;
        writtenKeys = desired.keySet();
        write(key, revision, ready, ready ? "BackendsReady" : "NoHealthyBackends", desired.size() + " keys under "
                + root + "/; " + resolution.ready() + "/" + resolution.total() + " backends ready", counts);
        return hostsChangeIn.get().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
    }

    /** The older valid kv/labels Route with the same rule and priority, if any (the older one keeps its rule). */
    private Optional<String> conflict(String name, RouteSpec spec, StoredObject self) {
        for (String other : new java.util.TreeSet<>(routes.names())) {
            if (other.equals(name)) {
                continue;
            }
            Optional<StoredObject> o = routes.get(other).filter(StoredObject::valid);
            if (o.isEmpty()) {
                continue;
            }
            RouteSpec os = o.get().resource().orElseThrow().spec(RouteSpec.class);
            boolean same = os.effectiveRule().equals(spec.effectiveRule()) && java.util.Objects.equals(os.priority(), spec.priority())
                    && os.mode().equals(spec.mode());
            long mine = self.raw().createRevision();
            long theirs = o.get().raw().createRevision();
            if (same && (theirs < mine || (theirs == mine && other.compareTo(name) < 0))) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    /** The keys to list in the status of the write in progress (set only by a successful kv write). */
    private Set<String> writtenKeys = Set.of();

    private void write(ObjectKey key, long revision, boolean ready, String reason, String message, Map<String, ServiceCount> counts) {
        Set<String> keysNow = writtenKeys;
        writtenKeys = Set.of();
        if (keysNow.isEmpty()) {
            keysNow = writer.written(key.name()).map(w -> w.keys().keySet()).orElse(java.util.Collections.emptySortedSet());
        }
        StatusWriter statusWriter = status.get();
        Optional<ObjectStatus> previous = statusWriter.last(key);
        String now = clock.instant().toString();
        boolean degraded = !ready && !"NoHealthyBackends".equals(reason);
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new Condition(Condition.READY, ready ? "True" : "False", reason, message, null));
        conditions.add(new Condition(Condition.DEGRADED, degraded ? "True" : "False", degraded ? reason : "AsExpected",
                degraded ? message : "", null));
        // KeysWritten lists every key Berth holds for the route (berth describe route shows them one per line).
        conditions.add(new Condition(KEYS_WRITTEN, keysNow.isEmpty() ? "False" : "True", keysNow.isEmpty() ? "NoKeys" : "Written",
                String.join(" ", new java.util.TreeSet<>(keysNow)), null));
        List<Condition> timed = new ArrayList<>();
        for (Condition c : conditions) {
            Condition before = previous.flatMap(p -> p.condition(c.type())).orElse(null);
            timed.add(c.since(before, now));
        }
        String since = previous.map(ObjectStatus::since).orElse(now);
        statusWriter.writeAsSoleWriter(key, new ObjectStatus(host, revision, timed, counts, degraded ? message : null, since));
        // counts holds the target service's ready backends (as running) of all its running ones (as desired).
        ServiceCount backends = counts == null ? new ServiceCount(0, 0) : counts.values().iterator().next();
        metrics.seen(key.name(), ready ? RouteMetrics.State.READY
                : degraded ? RouteMetrics.State.DEGRADED : RouteMetrics.State.NO_BACKENDS, backends.running(),
                backends.desired());
    }
}
