package dev.berth.operator.control;

import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.crds.ValidationError;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.cache.ObservedExpectations;
import dev.berth.reconcilers.Deadline;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.NameServers;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackOutcome;
import dev.berth.reconcilers.stack.PlanBuilder;
import dev.berth.reconcilers.stack.StackConverger;
import dev.berth.reconcilers.stack.StackHere;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
 * what an event said), derives what this host should run ({@link DesiredHere}, as {@code berth diff} does), lets
 * the converger plan once and apply within the pass's deadline, and writes this host's status. Nothing here
 * waits: drains, health checks and the deadline end the pass with a requeue-after.
 * Deletes happen only when the desired cache has listed etcd successfully and says the stack is gone or not
 * placed here; an invalid spec keeps everything that runs.
 */
public final class StackReconciler implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(StackReconciler.class);
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(1);
    private static final Duration AFTER_CHANGES = Duration.ofSeconds(2);
    /** How soon a service held for its Secret or Config files is looked at again (a fixed key file sends no event). */
    private static final Duration FILES_RETRY = Duration.ofSeconds(10);

    private final HostInfo host;
    private final DesiredInformer stacks;
    private final ObservedCache observed;
    /** Read-your-writes: which stacks this controller changed that the cache may not show yet. */
    private final ObservedExpectations expectations;
    private final StackConverger converger;
    private final StatusWriter status;
    private final Clock clock;
    private final DriftMetrics drift;
    private final ExternalNetworks networks;
    private final dev.berth.reconcilers.route.ServiceLabels serviceLabels;
    private final dev.berth.operator.cache.Assignments assignments;
    /** Whether this host's operator answers names on the Berth Networks (containers there are pointed at it). */
    private final boolean names;
    /** The host's resolvers containers on Berth Networks fall back to when the operator does not answer. */
    private final List<String> fallbackDns;
    /** Prepares the Secret and Config files of the services this host runs. */
    private final dev.berth.operator.secrets.StackFiles files;
    /** The desired revision each stack last converged at (every planned action worked): actions at that revision are drift. */
    private final Map<String, Long> converged = new ConcurrentHashMap<>();

    /**
     * @param converger     one pass for one stack on this host
     * @param drift         counts drift corrections
     * @param networks      the Berth Networks (overlays) services may join
     * @param serviceLabels extra labels per service (labels-mode Routes), merged into the spec before planning
     * @param assignments   the scheduler's decisions: which replicas of replicated services run on this host
     * @param names         whether this host's operator answers names on the Berth Networks: containers there get
     *                      its gateway address as DNS server and no service alias
     * @param fallbackDns   resolvers such containers can reach themselves, tried after the gateway
     * @param files         the Secret and Config files of the services this host runs
     */
    public StackReconciler(HostInfo host, DesiredInformer stacks, ObservedCache observed, StackConverger converger,
                           StatusWriter status, Clock clock, DriftMetrics drift, ExternalNetworks networks,
                           dev.berth.reconcilers.route.ServiceLabels serviceLabels,
                           dev.berth.operator.cache.Assignments assignments, boolean names, List<String> fallbackDns,
                           dev.berth.operator.secrets.StackFiles files) {
        this.files = files;
        this.names = names;
        this.fallbackDns = List.copyOf(fallbackDns);
        this.assignments = assignments;
        this.serviceLabels = serviceLabels;
        this.networks = networks;
        this.drift = drift;
        this.host = host;
        this.stacks = stacks;
        this.observed = observed;
        this.expectations = new ObservedExpectations(observed);
        this.converger = converger;
        this.status = status;
        this.clock = clock;
    }

    @Override
    public ReconcileResult reconcile(String name, Deadline deadline) {
        // Every log line of this reconcile (ours and the Docker gateway's) carries the object key.
        try (MDC.MDCCloseable ignored = MDC.putCloseable("object", "stack/" + name)) {
            return reconcileStack(name, deadline);
        }
    }

    private ReconcileResult reconcileStack(String name, Deadline deadline) {
        if (!stacks.synced() || !observed.synced() || !serviceLabels.ready() || !assignments.synced()
                || !files.synced()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        ObjectKey key = new ObjectKey("stack", name);
        Optional<StoredObject> object = stacks.get(name);
        try {
            if (object.isPresent() && !object.get().valid()) {
                return reportInvalid(key, object.get(), observed.forOwner(key.toString()));
            }
            Optional<StackHere> desiredHere = DesiredHere.stack(name,
                    object.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class)), host, serviceLabels,
                    assignments.of(name));
            Map<String, String> gateways = new TreeMap<>();
            if (desiredHere.isPresent()) {
                for (String network : PlanBuilder.externalNetworks(desiredHere.get().spec())) {
                    if (!networks.declared(network)) {
                        writeStatus(key, new StackConditions.Pass(object.get().raw().modRevision(), Map.of(), false,
                                Optional.of(new StackConditions.Failure("NetworkNotFound", "network \"" + network
                                        + "\" is neither declared in spec.networks nor a Network in etcd"))));
                        return ReconcileResult.failed("NetworkNotFound: " + network);
                    }
                    Optional<String> gateway = networks.gateway(network);
                    if (!networks.readyHere(network) || names && gateway.isEmpty()) {
                        // The Network reconciler creates it on this host now that a stack here needs it.
                        return ReconcileResult.requeueAfter(AFTER_CHANGES);
                    }
                    gateway.ifPresent(g -> gateways.put(network, g));
                }
            }
            // Undecided by the scheduler (not by missing files): what the status calls scheduling.
            boolean scheduling = desiredHere.map(h -> !h.undecided().isEmpty()).orElse(false);
            Optional<dev.berth.operator.secrets.FilesException> filesFailure = Optional.empty();
            // Replicas wanted here of the services whose files cannot be made (the status still counts them).
            Map<String, Integer> waiting = new TreeMap<>();
            if (desiredHere.isPresent()) {
                // A service whose files cannot be made keeps what runs of it (with its files) and gets nothing new
                // this pass; the stack's other services converge.
                dev.berth.operator.secrets.StackFiles.Resolved resolved = files.resolve(desiredHere.get());
                filesFailure = resolved.first();
                for (String service : resolved.failures().keySet()) {
                    waiting.put(service, desiredHere.get().of(service).size());
                }
                desiredHere = Optional.of(desiredHere.get().withFiles(resolved.files())
                        .withHeld(resolved.failures().keySet()));
                if (filesFailure.isPresent()) {
                    log.warn("stack/{}: service(s) {} kept as they run: {}", name, resolved.failures().keySet(),
                            filesFailure.get().getMessage());
                }
            }
            if (names) {
                desiredHere = desiredHere.map(h -> h.withNames(NameServers.on(gateways, fallbackDns)));
            }
            ObservedStack seen = expectations.view(key.toString());
            // A stack that exists but runs nothing here still plans from its spec: its moved replicas drain first.
            Optional<StackHere> toConverge = desiredHere.isPresent() ? desiredHere
                    : object.flatMap(StoredObject::resource).map(r -> StackHere.nothing(r.spec(StackSpec.class)));
            StackOutcome outcome = converger.reconcileHere(name, toConverge, seen, deadline);
            if (!outcome.report().done().isEmpty() || outcome.report().failure().isPresent()) {
                expectations.acted(key.toString());
            }
            countDrift(name, object, desiredHere.isPresent(), outcome, seen);
            if (filesFailure.isPresent()) {
                // Not converged while a service waits for its files: what it creates later is a rollout, not drift.
                converged.remove(name);
            }
            if (!outcome.planned().isEmpty()) {
                log.info("stack/{}: {} action(s) planned, {} done, {} deferred{}", name, outcome.planned().size(),
                        outcome.report().done().size(), outcome.report().deferred().size(),
                        outcome.report().failure().map(f -> ", failed: " + f.reason() + " " + f.message()).orElse(""));
            }
            if (desiredHere.isEmpty()) {
                if (outcome.converged()) {
                    status.delete(key);
                }
                return result(outcome);
            }
            Optional<StackConditions.Failure> failure = filesFailure
                    .map(e -> new StackConditions.Failure(e.reason(), e.getMessage()))
                    .or(() -> outcome.report().failure().map(f -> new StackConditions.Failure(f.reason(), f.message())));
            // Ready in the pass that converged the stack: the counts include what this pass created, and a pass
            // whose every action worked leaves nothing in progress (the next list confirms it, see expectations).
            Map<String, ServiceCount> counts = counts(outcome);
            // Not running as specified while its files are missing: counted with what still runs of it.
            waiting.forEach((service, wanted) -> counts.put(service, new ServiceCount((int) seen.containers().stream()
                    .filter(c -> service.equals(c.labels().get(dev.berth.reconcilers.labels.BerthLabels.SERVICE))
                            && c.running()).count(), wanted)));
            writeStatus(key, new StackConditions.Pass(object.get().raw().modRevision(), counts,
                    !outcome.converged() || filesFailure.isPresent(), failure, ReplicaRows.of(key, seen, outcome),
                    scheduling));
            ReconcileResult result = result(outcome);
            if (filesFailure.isPresent() && !result.failed()) {
                // Not a failed pass: a failure would back the whole stack off (up to minutes) and drop its events, so
                // the services that run would be repaired and rolled at that pace. The held service is looked at
                // again within FILES_RETRY, and at once when a Secret or Config it uses changes.
                Duration after = result.requeueAfter().filter(d -> d.compareTo(FILES_RETRY) < 0).orElse(FILES_RETRY);
                return ReconcileResult.requeueAfter(after);
            }
            return result;
        } catch (StoreException e) {
            return ReconcileResult.failed("etcd: " + e.getMessage());
        } catch (IllegalStateException e) {
            return ReconcileResult.failed(e.getMessage());
        }
    }

    /**
     * A failure retries with backoff; work left for later (a drain, the deadline) comes back when it can go on;
     * waits (for health, a dependency, other replicas) look again shortly; a pass that changed something looks once
     * more shortly, from a list taken after its changes (level-triggered: a container that died right after its
     * start is seen even if its event is lost); a converged stack waits for a change.
     */
    private static ReconcileResult result(StackOutcome outcome) {
        if (outcome.report().failure().isPresent()) {
            return ReconcileResult.failed(outcome.report().failure().get().reason() + ": "
                    + outcome.report().failure().get().message());
        }
        Optional<Duration> after = outcome.resumeAfter();
        if (outcome.waiting() || !outcome.report().done().isEmpty()) {
            after = Optional.of(after.filter(a -> a.compareTo(AFTER_CHANGES) < 0).orElse(AFTER_CHANGES));
        }
        return after.map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
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
        if (outcome.converged()) {
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
