package dev.berth.operator.control;

import dev.berth.crds.ValidationError;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.store.ObjectKey;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.PlacementRule;
import dev.berth.reconcilers.stack.StackOutcome;
import dev.berth.reconcilers.stack.StackPlanner;
import dev.berth.reconcilers.stack.StackReconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one stack on this host: reads the whole desired object and the whole observed state (never
 * what an event said), lets the stack reconciler plan and apply, and writes this host's status.
 * Deletes happen only when the desired cache has listed etcd successfully and says the stack is gone or not
 * placed here; an invalid spec keeps everything that runs.
 */
public final class StackController implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(StackController.class);
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(1);
    private static final Duration AFTER_CHANGES = Duration.ofSeconds(2);

    private final HostInfo host;
    private final DesiredInformer stacks;
    private final ObservedCache observed;
    private final StackReconciler reconciler;
    private final StatusWriter status;
    private final Clock clock;
    private final String instance;

    public StackController(HostInfo host, String instance, DesiredInformer stacks, ObservedCache observed,
                           StackReconciler reconciler, StatusWriter status, Clock clock) {
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
        if (!stacks.synced() || !observed.synced()) {
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
                    .map(r -> r.spec(StackSpec.class))
                    .filter(spec -> PlacementRule.placedHere(spec.placement(), host));
            if (!StackPlanner.plan(instance, name, desiredHere, seen).isEmpty()) {
                // The cache says there is work; act only on a fresh list (it may lag our own last changes).
                seen = observed.refreshNow(key.toString());
            }
            StackOutcome outcome = reconciler.reconcile(name, desiredHere, seen);
            if (!outcome.planned().isEmpty()) {
                log.info("stack/{}: {} action(s) planned, {} done{}", name, outcome.planned().size(),
                        outcome.report().done().size(), outcome.report().failure().map(f -> ", failed: " + f.getMessage()).orElse(""));
            }
            if (desiredHere.isEmpty()) {
                if (outcome.report().failure().isEmpty() && outcome.planned().isEmpty()) {
                    status.delete(key);
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

    private ReconcileResult reportInvalid(ObjectKey key, StoredObject object, ObservedStack seen) {
        String message = object.errors().stream().limit(5).map(ValidationError::toString)
                .collect(Collectors.joining("; "));
        Map<String, ServiceCount> counts = new TreeMap<>();
        seen.containers().forEach(c -> {
            String service = c.labels().getOrDefault(dev.berth.reconcilers.stack.BerthLabels.SERVICE, "?");
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
