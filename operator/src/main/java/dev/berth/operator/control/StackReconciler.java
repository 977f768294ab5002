package dev.berth.operator.control;

import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.crds.ValidationError;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.PlacementRule;
import dev.berth.reconcilers.stack.StackOutcome;
import dev.berth.reconcilers.stack.StackPlanner;
import dev.berth.reconcilers.stack.PlanBuilder;
import dev.berth.reconcilers.stack.StackConverger;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import dev.berth.operator.metrics.DriftMetrics;
import dev.berth.operator.metrics.StackDrift;
import org.slf4j.MDC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one stack on this host: reads the whole desired object and the whole observed state (never
 * what an event said), lets the stack reconciler plan and apply, and writes this host's status.
 * Deletes happen only when the desired cache has listed etcd successfully and says the stack is gone or not
 * placed here; an invalid spec keeps everything that runs.
 */
public final class StackReconciler implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(StackReconciler.class);
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(1);
    private static final Duration AFTER_CHANGES = Duration.ofSeconds(2);

    private final HostInfo host;
    private final DesiredInformer stacks;
    private final ObservedCache observed;
    /** Per stack: System.nanoTime() after this controller last changed (or tried to change) something of it. */
    private final Map<String, Long> actedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final StackConverger reconciler;
    private final StatusWriter status;
    private final Clock clock;
    private final String instance;
    private final DriftMetrics drift;
    private final ExternalNetworks networks;
    private final dev.berth.reconcilers.route.ServiceLabels serviceLabels;
    /** The desired revision each stack last converged at (empty plan, no failure): actions at that revision are drift. */
    private final Map<String, Long> converged = new ConcurrentHashMap<>();

    public StackReconciler(HostInfo host, String instance, DesiredInformer stacks, ObservedCache observed,
                           StackConverger reconciler, StatusWriter status, Clock clock) {
        this(host, instance, stacks, observed, reconciler, status, clock, null);
    }

    /** @param drift counts drift corrections (null: not counted) */
    public StackReconciler(HostInfo host, String instance, DesiredInformer stacks, ObservedCache observed,
                           StackConverger reconciler, StatusWriter status, Clock clock, DriftMetrics drift) {
        this(host, instance, stacks, observed, reconciler, status, clock, drift, ExternalNetworks.none());
    }

    /** @param networks the Berth Networks (overlays) services may join */
    public StackReconciler(HostInfo host, String instance, DesiredInformer stacks, ObservedCache observed,
                           StackConverger reconciler, StatusWriter status, Clock clock, DriftMetrics drift,
                           ExternalNetworks networks) {
        this(host, instance, stacks, observed, reconciler, status, clock, drift, networks,
                dev.berth.reconcilers.route.ServiceLabels.NONE);
    }

    /** @param serviceLabels extra labels per service (labels-mode Routes), merged into the spec before planning */
    public StackReconciler(HostInfo host, String instance, DesiredInformer stacks, ObservedCache observed,
                           StackConverger reconciler, StatusWriter status, Clock clock, DriftMetrics drift,
                           ExternalNetworks networks, dev.berth.reconcilers.route.ServiceLabels serviceLabels) {
        this.serviceLabels = serviceLabels;
        this.networks = networks;
        this.drift = drift;
        this.instance = instance;
        this.host = host;
        this.stacks = stacks;
        this.observed = observed;
        this.reconciler = reconciler;
        this.status = status;
        this.clock = clock;
    }

    @Override
    public ReconcileResult reconcile(String name) {
        // Every log line of this reconcile (ours and the Docker gateway's) carries the object key.
        try (MDC.MDCCloseable ignored = MDC.putCloseable("object", "stack/" + name)) {
            return reconcileStack(name);
        }
    }

    private ReconcileResult reconcileStack(String name) {
        if (!stacks.synced() || !observed.synced() || !serviceLabels.ready()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        ObjectKey key = new ObjectKey("stack", name);
        Optional<StoredObject> object = stacks.get(name);
        ObservedStack seen = observed.forOwner(key.toString());
        try {
            if (object.isPresent() && !object.get().valid()) {
                return reportInvalid(key, object.get(), seen);
            }
            Optional<StackSpec> desiredHere = object.flatMap(StoredObject::resource)
                    .map(r -> serviceLabels.apply(name, r.spec(StackSpec.class)))
                    .filter(spec -> PlacementRule.placedHere(spec.placement(), host));
            if (desiredHere.isPresent()) {
                for (String network : PlanBuilder.externalNetworks(desiredHere.get())) {
                    if (!networks.declared(network)) {
                        writeStatus(key, new StackConditions.Pass(object.get().raw().modRevision(), Map.of(), false,
                                Optional.of(new StackConditions.Failure("NetworkNotFound", "network \"" + network
                                        + "\" is neither declared in spec.networks nor a Network in etcd"))));
                        return ReconcileResult.failed("NetworkNotFound: " + network);
                    }
                    if (!networks.readyHere(network)) {
                        // The Network reconciler creates it on this host now that a stack here needs it.
                        return ReconcileResult.requeueAfter(AFTER_CHANGES);
                    }
                }
            }
            Long lastActed = actedAt.get(name);
            if (lastActed != null && !observed.listedAfter(lastActed)
                    && !StackPlanner.plan(instance, name, desiredHere, seen).isEmpty()) {
                // The cache says there is work but may not show our own last changes yet (a container just
                // started may still look "created"): act only on a fresh list.
                seen = observed.refreshNow(key.toString());
            }
            StackOutcome outcome = reconciler.reconcile(name, desiredHere, seen);
            if (!outcome.report().done().isEmpty() || outcome.report().failure().isPresent()) {
                actedAt.put(name, System.nanoTime());
            }
            countDrift(name, object, desiredHere.isPresent(), outcome, seen);
            if (!outcome.planned().isEmpty()) {
                log.info("stack/{}: {} action(s) planned, {} done{}", name, outcome.planned().size(),
                        outcome.report().done().size(), outcome.report().failure().map(f -> ", failed: " + f.getMessage()).orElse(""));
                outcome = confirmConverged(name, object, desiredHere, outcome);
            }
            if (desiredHere.isEmpty()) {
                if (outcome.report().failure().isEmpty() && outcome.planned().isEmpty()) {
                    status.delete(key);
                    actedAt.remove(name);
                }
                return outcome.report().failure().isPresent()
                        ? ReconcileResult.failed(outcome.report().failure().get().getMessage())
                        : outcome.planned().isEmpty() ? ReconcileResult.done() : ReconcileResult.requeueAfter(AFTER_CHANGES);
            }
            Optional<StackConditions.Failure> failure = outcome.report().failure()
                    .map(e -> new StackConditions.Failure(e.reason(), e.getMessage()));
            writeStatus(key, new StackConditions.Pass(object.get().raw().modRevision(), counts(outcome),
                    !outcome.report().done().isEmpty(), failure));
            if (failure.isPresent()) {
                return ReconcileResult.failed(failure.get().reason() + ": " + failure.get().message());
            }
            return outcome.planned().isEmpty() ? ReconcileResult.done() : ReconcileResult.requeueAfter(AFTER_CHANGES);
        } catch (StoreException e) {
            return ReconcileResult.failed("etcd: " + e.getMessage());
        } catch (IllegalStateException e) {
            return ReconcileResult.failed(e.getMessage());
        }
    }

    /**
     * After actions that all worked, one fresh list (shared with other workers asking at the same time) shows
     * whether the stack has converged; if so its status says Ready now, not after a requeue that would wait in
     * the queue behind every other stack's work. Anything still to do is left to the requeue as before.
     */
    private StackOutcome confirmConverged(String name, Optional<StoredObject> object, Optional<StackSpec> desiredHere,
                                          StackOutcome outcome) {
        if (outcome.report().failure().isPresent()) {
            return outcome;
        }
        ObservedStack after = observed.refreshNow(new ObjectKey("stack", name).toString());
        if (!StackPlanner.plan(instance, name, desiredHere, after).isEmpty()) {
            return outcome;
        }
        StackOutcome settled = reconciler.reconcile(name, desiredHere, after);
        countDrift(name, object, desiredHere.isPresent(), settled, after);
        return settled;
    }

    /**
     * Actions taken at the revision the stack had already converged at are drift corrections; so are removals of
     * containers of a stack this controller never knew (orphans). A new revision or placement is a rollout.
     */
    private void countDrift(String name, Optional<StoredObject> object, boolean wantedHere, StackOutcome outcome,
                            ObservedStack seen) {
        long revision = object.map(o -> o.raw().modRevision()).orElse(-1L);
        Long convergedAt = converged.get(name);
        boolean isDrift = wantedHere ? convergedAt != null && convergedAt == revision
                : object.isEmpty() && convergedAt == null;
        if (drift != null && isDrift && !outcome.report().done().isEmpty()) {
            drift.record("stack", StackDrift.classify(outcome.report().done(), seen));
        }
        if (outcome.planned().isEmpty() && outcome.report().failure().isEmpty()) {
            if (wantedHere) {
                converged.put(name, revision);
            } else {
                converged.remove(name);
            }
        }
    }

    private ReconcileResult reportInvalid(ObjectKey key, StoredObject object, ObservedStack seen) {
        String message = object.errors().stream().limit(5).map(ValidationError::toString)
                .collect(Collectors.joining("; "));
        Map<String, ServiceCount> counts = new TreeMap<>();
        seen.containers().forEach(c -> {
            String service = c.labels().getOrDefault(dev.berth.reconcilers.labels.BerthLabels.SERVICE, "?");
            ServiceCount before = counts.getOrDefault(service, new ServiceCount(0, 0));
            counts.put(service, new ServiceCount(before.running() + ("running".equals(c.state()) ? 1 : 0), before.desired()));
        });
        writeStatus(key, new StackConditions.Pass(object.raw().modRevision(), counts, false,
                Optional.of(new StackConditions.Failure("InvalidSpec", message))));
        log.warn("stack/{}: invalid spec in etcd, keeping what runs: {}", key.name(), message);
        // Not a failure to retry: a new revision in etcd re-queues the key.
        return ReconcileResult.done();
    }

    private void writeStatus(ObjectKey key, StackConditions.Pass pass) {
        Optional<ObjectStatus> previous = status.last(key);
        ObjectStatus next = StackConditions.build(host.name(), previous, pass, clock.instant().toString());
        if (status.write(key, next)) {
            log.info("stack/{}: status {}", key.name(), next.conditions().stream()
                    .map(c -> c.type() + "=" + c.status() + "(" + c.reason() + ")").collect(Collectors.joining(" ")));
        }
    }

    private static Map<String, ServiceCount> counts(StackOutcome outcome) {
        Map<String, ServiceCount> counts = new TreeMap<>();
        outcome.perService().forEach((service, c) -> counts.put(service, new ServiceCount(c.running(), c.desired())));
        return counts;
    }
}
