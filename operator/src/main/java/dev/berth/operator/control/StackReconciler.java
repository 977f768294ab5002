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
import java.util.Set;
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
    /** How soon a service held while its image is pulled or built is looked at again (the end also enqueues it). */
    private static final Duration IMAGES_RETRY = Duration.ofSeconds(2);
    /** The soonest a failed image is looked at again, whatever retry time the puller names. */
    private static final Duration IMAGES_MIN_RETRY = Duration.ofMillis(200);

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
    /** Decides the image each service runs here (pins, pulls, builds). */
    private final dev.berth.operator.images.StackImages images;
    /** The desired revision each stack last converged at (every planned action worked): actions at that revision are drift. */
    private final Map<String, Long> converged = new ConcurrentHashMap<>();
    /** What passes did, as events (after the Docker calls, never from the plan). */
    private final StackEvents events;
    /** The image failure each stack last logged, so a pass that holds the same services again stays quiet. */
    private final Map<String, String> imageWarnings = new ConcurrentHashMap<>();
    /** The last warning said per stack about services held for their Secret or Config files. */
    private final Map<String, String> fileWarnings = new ConcurrentHashMap<>();
    /** What each stack's last settled pass planned from (see {@link SettledPass}): the same again plans nothing. */
    private final Map<String, SettledPass> settled = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong unchangedPasses = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Everything a pass plans and writes the status from: the stack's revision, what this host should run of it (spec,
     * replicas, files, images, names) and what Docker has of it. The planner is a function of these and of the time,
     * which only start-first updates in progress read, and those never settle a pass. So a pass that settled (planned
     * nothing, waits for nothing, wrote its status) would plan nothing again from equal inputs: a resync then skips
     * planning and the status write, which is most of the idle operator's work. Any other input (files held, images
     * pulled, a network missing, an invalid spec) ends the pass before this is compared or keeps it from settling.
     */
    private record SettledPass(long revision, Optional<StackHere> here, ObservedStack seen) {
    }

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
     * @param images        the images of the services this host runs: pinned, pulled or built
     * @param events        told what each pass did (Created, Killed, RolloutStarted, InvalidSpec, ...)
     */
    public StackReconciler(HostInfo host, DesiredInformer stacks, ObservedCache observed, StackConverger converger,
                           StatusWriter status, Clock clock, DriftMetrics drift, ExternalNetworks networks,
                           dev.berth.reconcilers.route.ServiceLabels serviceLabels,
                           dev.berth.operator.cache.Assignments assignments, boolean names, List<String> fallbackDns,
                           dev.berth.operator.secrets.StackFiles files, dev.berth.operator.images.StackImages images,
                           dev.berth.operator.events.EventRecorder events) {
        this.events = new StackEvents(events);
        this.files = files;
        this.images = images;
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

    /** Passes that found every input as the last settled pass of their stack had it, and so planned nothing. */
    public long unchangedPasses() {
        return unchangedPasses.get();
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
                || !files.synced() || !images.synced() || !networks.synced()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        // A dockerd going down stops every container first: never act on what it stops, nor while it is away.
        Optional<Duration> hold = observed.holdChanges();
        if (hold.isPresent()) {
            return ReconcileResult.requeueAfter(hold.get());
        }
        ObjectKey key = new ObjectKey("stack", name);
        Optional<StoredObject> object = stacks.get(name);
        // Taken out for the whole pass: whatever ends it early (an error, a missing network, an invalid spec) leaves
        // nothing to compare the next pass with.
        SettledPass lastSettled = settled.remove(name);
        try {
            if (object.isPresent() && !object.get().valid()) {
                return reportInvalid(key, object.get(), observed.forOwner(key.toString()));
            }
            Optional<StackHere> desiredHere = DesiredHere.stack(name,
                    object.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class)), host, serviceLabels,
                    assignments.of(name));
            Map<String, String> gateways = new TreeMap<>();
            java.util.Set<String> dockerNetworks = new java.util.TreeSet<>();
            if (desiredHere.isPresent()) {
                for (String network : PlanBuilder.externalNetworks(desiredHere.get().spec())) {
                    ExternalNetworks.Kind kind = networks.kind(network);
                    if (kind == ExternalNetworks.Kind.DOCKER) {
                        // Made outside Berth (e.g. a Traefik's network): joined by its exact name, never changed.
                        dockerNetworks.add(network);
                        continue;
                    }
                    if (kind == ExternalNetworks.Kind.NOT_FOUND) {
                        writeStatus(key, new StackConditions.Pass(object.get().raw().modRevision(), Map.of(), false,
                                Optional.of(new StackConditions.Failure("NetworkNotFound", "network \"" + network
                                        + "\" is neither declared in spec.networks, a Network in etcd, nor a Docker "
                                        + "network made outside Berth on this host"))));
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
            dev.berth.operator.images.StackImages.Resolved imageStates =
                    new dev.berth.operator.images.StackImages.Resolved(Map.of(), Map.of());
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
                Set<String> heldForFiles = resolved.failures().keySet();
                warnOnChange(fileWarnings, name, filesFailure.map(f -> "service(s) " + heldForFiles
                        + " kept as they run: " + f.getMessage()));
                // Likewise a service whose image is not here yet (pulling, building, failed): it keeps what runs.
                imageStates = images.resolve(object.get(), desiredHere.get());
                for (String service : imageStates.notReady().keySet()) {
                    waiting.putIfAbsent(service, desiredHere.get().of(service).size());
                }
                desiredHere = Optional.of(desiredHere.get().withImages(imageStates.ready())
                        .withHeld(imageStates.notReady().keySet()));
                logImages(name, imageStates);
                desiredHere = Optional.of(restarted(object.get(), desiredHere.get()));
            }
            dev.berth.operator.images.StackImages.Resolved imagesSeen = imageStates;
            boolean imagesHeld = !imagesSeen.notReady().isEmpty();
            if (names) {
                desiredHere = desiredHere.map(h -> h.withNames(NameServers.on(gateways, fallbackDns)
                        .withDockerNetworks(dockerNetworks)));
            }
            ObservedStack seen = expectations.view(key.toString());
            // The view may come from a list made just now, which can be the first to show containers a dockerd going
            // down has stopped (their events not yet read): the plan would replace them. Ask again before planning.
            Optional<Duration> holdNow = observed.holdChanges();
            if (holdNow.isPresent()) {
                return ReconcileResult.requeueAfter(holdNow.get());
            }
            // A stack that exists but runs nothing here still plans from its spec: its moved replicas drain first.
            Optional<StackHere> toConverge = desiredHere.isPresent() ? desiredHere
                    : object.flatMap(StoredObject::resource).map(r -> StackHere.nothing(r.spec(StackSpec.class)));
            SettledPass inputs = new SettledPass(object.map(o -> o.raw().modRevision()).orElse(-1L), toConverge, seen);
            if (!scheduling && filesFailure.isEmpty() && !imagesHeld && inputs.equals(lastSettled)) {
                settled.put(name, lastSettled);
                unchangedPasses.incrementAndGet();
                return ReconcileResult.done();
            }
            StackOutcome outcome = converger.reconcileHere(name, toConverge, seen, deadline);
            if (!outcome.report().done().isEmpty() || outcome.report().failure().isPresent()) {
                expectations.acted(key.toString());
            }
            try {
                events.passed(name, object.map(o -> o.raw().modRevision()).orElse(-1L), desiredHere.isPresent(),
                        !scheduling && filesFailure.isEmpty() && !imagesHeld, outcome);
            } catch (RuntimeException e) {
                // An event is information: whatever goes wrong telling it must not fail the pass it describes.
                log.debug("stack/{}: events of the pass not recorded: {}", name, e.toString());
            }
            if (desiredHere.isEmpty()) {
                images.gone(name);
                fileWarnings.remove(name);
            }
            countDrift(name, object, desiredHere.isPresent(), outcome, seen);
            if (filesFailure.isPresent() || imagesHeld) {
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
                return settle(name, inputs, outcome, result(outcome));
            }
            Optional<StackConditions.Failure> failure = filesFailure
                    .map(e -> new StackConditions.Failure(e.reason(), e.getMessage()))
                    .or(() -> imagesSeen.firstFailed().map(e -> new StackConditions.Failure(e.getValue().reason(),
                            e.getKey() + ": " + e.getValue().message())))
                    .or(() -> outcome.report().failure().map(f -> new StackConditions.Failure(f.reason(), f.message())))
                    .or(() -> OneShotFailure.of(outcome));
            Optional<StackConditions.Progress> progress = imagesSeen.firstInProgress()
                    .map(e -> new StackConditions.Progress(e.getValue().reason(), e.getKey() + ": " + e.getValue().message()));
            // Ready in the pass that converged the stack: the counts include what this pass created, and a pass
            // whose every action worked leaves nothing in progress (the next list confirms it, see expectations).
            Map<String, ServiceCount> counts = counts(outcome);
            // Not running as specified while its files are missing: counted with what still runs of it.
            waiting.forEach((service, wanted) -> counts.put(service, new ServiceCount((int) seen.containers().stream()
                    .filter(c -> service.equals(c.labels().get(dev.berth.reconcilers.labels.BerthLabels.SERVICE))
                            && c.running()).count(), wanted)));
            if (scheduling && onlyAwaitsTheScheduler(desiredHere.get(), seen, outcome) && failure.isEmpty()
                    && progress.isEmpty() && waiting.isEmpty() && status.last(key).isEmpty()) {
                // Every host would write "Scheduling" for a new replicated stack, and all but the ones it is placed
                // on delete it a moment later: two etcd writes per host per stack. The CLI and `berth wait` say
                // Scheduling from the assignment (none, or one without the service), so this host stays silent.
                return result(outcome);
            }
            writeStatus(key, new StackConditions.Pass(object.get().raw().modRevision(), counts,
                    !outcome.converged() || filesFailure.isPresent() || imagesHeld, failure,
                    ReplicaRows.of(key, seen, outcome), scheduling, progress, notRemovable(outcome)));
            ReconcileResult result = result(outcome);
            if (imagesHeld && !result.failed()) {
                // Not a failed pass either (see below): the backoff of a failing image lives in the puller, per image,
                // so the stack's other services keep their own pace. A pull or build that ends enqueues the stack.
                result = ReconcileResult.requeueAfter(min(result.requeueAfter(), imagesRetry(imagesSeen)));
            }
            if (filesFailure.isPresent() && !result.failed()) {
                // Not a failed pass: a failure would back the whole stack off (up to minutes) and drop its events, so
                // the services that run would be repaired and rolled at that pace. The held service is looked at
                // again within FILES_RETRY, and at once when a Secret or Config it uses changes.
                return ReconcileResult.requeueAfter(min(result.requeueAfter(), FILES_RETRY));
            }
            return scheduling ? result : settle(name, inputs, outcome, result);
        } catch (StoreException e) {
            // etcd refusing the operator is said once a minute by RefusalWarnings, not on every retry of every key
            return dev.berth.operator.store.EtcdRefusals.isRefusal(e) ? ReconcileResult.failedQuietly("etcd: " + e.getMessage())
                    : ReconcileResult.failed("etcd: " + e.getMessage());
        } catch (IllegalStateException e) {
            return ReconcileResult.failed(e.getMessage());
        }
    }

    /**
     * Remembers what a pass planned from when it settled: everything converged, nothing planned, nothing to look at
     * again. Passes holding services for files or images, or waiting for the scheduler, return before this.
     */
    private ReconcileResult settle(String name, SettledPass inputs, StackOutcome outcome, ReconcileResult result) {
        // A stack deleted from etcd is not remembered: its key stops coming once its containers are gone.
        if (inputs.revision() >= 0 && outcome.converged() && outcome.planned().isEmpty() && !result.failed()
                && result.requeueAfter().isEmpty()) {
            settled.put(name, inputs);
        }
        return result;
    }

    private static Duration min(Optional<Duration> a, Duration b) {
        return a.filter(d -> d.compareTo(b) < 0).orElse(b);
    }

    /** Soon while an image is pulled or built; at the earliest retry time of a failed one otherwise. */
    private Duration imagesRetry(dev.berth.operator.images.StackImages.Resolved states) {
        if (states.firstInProgress().isPresent()) {
            return IMAGES_RETRY;
        }
        Duration until = states.retryAt().map(at -> Duration.between(clock.instant(), at)).orElse(IMAGES_RETRY);
        return until.compareTo(IMAGES_MIN_RETRY) < 0 ? IMAGES_MIN_RETRY : until;
    }

    /**
     * One line when a stack starts holding services for a failed image or the failure changes (the puller logs each
     * pull itself): passes in between would repeat it every few seconds.
     */
    private void logImages(String name, dev.berth.operator.images.StackImages.Resolved states) {
        warnOnChange(imageWarnings, name, states.firstFailed().map(e -> "service(s) " + states.notReady().keySet()
                + " kept as they run: " + e.getKey() + ": " + e.getValue().reason() + ": " + e.getValue().message()));
    }

    /** Says {@code line} once when it starts or changes, not on every pass while it lasts; empty: it is over. */
    private static void warnOnChange(Map<String, String> said, String name, Optional<String> line) {
        String before = line.isPresent() ? said.put(name, line.get()) : said.remove(name);
        if (line.isPresent() && !line.get().equals(before)) {
            log.warn("stack/{}: {}", name, line.get());
        }
    }

    /**
     * {@code berth restart stack}: the annotation's value as a label of every service's containers, so every spec hash
     * changes and each service rolls through its update strategy (its pin generation changes too: a moved tag is
     * picked up).
     */
    private static StackHere restarted(StoredObject object, StackHere here) {
        Map<String, String> annotations = object.resource().map(r -> r.metadata().annotations()).orElse(null);
        String at = annotations == null ? null : annotations.get(dev.berth.crds.stack.StackAnnotations.RESTARTED_AT);
        if (at == null || at.isEmpty()) {
            return here;
        }
        dev.berth.reconcilers.route.ServiceLabels label = (stack, spec, service) ->
                Map.of(dev.berth.crds.stack.StackAnnotations.RESTARTED_AT, at);
        return here.withSpec(label.apply(object.name(), here.spec()));
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
        try {
            events.invalid(key.name(), message);
        } catch (RuntimeException e) {
            log.debug("stack/{}: InvalidSpec event not recorded: {}", key.name(), e.toString());
        }
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

    /** Nothing of the stack is here or decided for here, and the pass did nothing: it only waits for the scheduler. */
    private static boolean onlyAwaitsTheScheduler(StackHere here, ObservedStack seen, StackOutcome outcome) {
        return seen.containers().isEmpty() && outcome.planned().isEmpty()
                && here.replicas().values().stream().allMatch(java.util.Set::isEmpty);
    }

    /** What the status says of each dead container Docker refused to remove in this pass. */
    private static List<String> notRemovable(StackOutcome outcome) {
        return outcome.report().leftovers().stream().map(l -> "container " + l.name()
                + " cannot be removed by Docker, retried every " + dev.berth.reconcilers.stack.ApplyReport.LEFTOVER_RETRY
                .toSeconds() + " s (its replica runs under another name): " + l.message()).toList();
    }

    private static Map<String, ServiceCount> counts(StackOutcome outcome) {
        Map<String, ServiceCount> counts = new TreeMap<>();
        outcome.perService().forEach((service, c) -> counts.put(service,
                new ServiceCount(c.running(), c.desired(), c.completed())));
        return counts;
    }
}
