package dev.berth.operator.overlay;

import dev.berth.crds.ValidationError;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.kit.ReconcileResult;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.control.StatusWriter;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.overlay.NetworkOutcome;
import dev.berth.reconcilers.overlay.NetworkConverger;
import dev.berth.reconcilers.overlay.Peer;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.PlacementRule;
import dev.berth.reconcilers.stack.PlanBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one overlay Network on this host. The host takes part while a stack placed here uses the
 * Network; peers are the live host records that take part too, and the Unknown hosts that still answer on it
 * ({@link Reachability#lingeringPeers}): a host whose operator died keeps its FDB entries while its containers are
 * reached, so the data plane outlives the control plane. What the host takes part in goes into its own host record,
 * which is how the other hosts learn to send it traffic.
 */
public final class NetworkReconciler implements Reconciler {
    private static final Logger log = LoggerFactory.getLogger(NetworkReconciler.class);
    private static final Duration NOT_SYNCED_RETRY = Duration.ofSeconds(1);

    private final HostInfo host;
    private final DesiredInformer networks;
    private final DesiredInformer stacks;
    private final EtcdInformer<HostRecord> hosts;
    private final ReachabilityView reachability;
    private final NetworkConverger reconciler;
    private final StatusWriter status;
    private final HostRegistration registration;
    private final Clock clock;
    private final Map<String, NetworkOutcome> last = new ConcurrentHashMap<>();

    public NetworkReconciler(HostInfo host, DesiredInformer networks, DesiredInformer stacks,
                             EtcdInformer<HostRecord> hosts, ReachabilityView reachability, NetworkConverger reconciler,
                             StatusWriter status, HostRegistration registration, Clock clock) {
        this.host = host;
        this.networks = networks;
        this.stacks = stacks;
        this.hosts = hosts;
        this.reachability = reachability;
        this.reconciler = reconciler;
        this.status = status;
        this.registration = registration;
        this.clock = clock;
    }

    /** Peers and FDB entries of the last pass, for the overlay metrics. */
    public Map<String, NetworkOutcome> lastOutcomes() {
        return Map.copyOf(last);
    }

    /**
     * The Networks some stack placed on this host uses. While any stack's YAML is invalid, every Network this
     * host already takes part in stays needed too: invalid input is not a reason to take a network away.
     */
    public List<String> neededHere() {
        List<String> needed = new ArrayList<>();
        boolean anyInvalid = false;
        for (String name : stacks.names()) {
            Optional<StoredObject> stack = stacks.get(name);
            if (stack.isPresent() && !stack.get().valid()) {
                anyInvalid = true;
                continue;
            }
            stack.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class))
                    .ifPresent(s -> needed.addAll(PlanBuilder.externalNetworks(eligibleHere(s))));
        }
        if (anyInvalid) {
            last.forEach((network, outcome) -> {
                if (outcome.takesPart()) {
                    needed.add(network);
                }
            });
        }
        return needed;
    }

    /**
     * The services of a stack this host may run. Eligible, not assigned: the Network is ready here before the
     * scheduler moves a replica here (a failover does not wait for an overlay), at the cost of joining it on
     * hosts that run none of the stack.
     */
    private StackSpec eligibleHere(StackSpec spec) {
        return new StackSpec(spec.placement(), spec.services().stream()
                .filter(service -> PlacementRule.placedHere(service.effectivePlacement(spec.placement()), host))
                .toList(), spec.networks());
    }

    /**
     * A pass is a bounded number of calls, each with its own timeout (etcd 5 s, Docker 60 s, iproute2 10 s), so it
     * needs no check of the deadline between them; the controller counts a pass that overruns it.
     */
    @Override
    public ReconcileResult reconcile(String name, dev.berth.reconcilers.Deadline deadline) {
        // Probe reports too: before they are listed every Unknown host would look gone and lose its entries.
        if (!networks.synced() || !stacks.synced() || !hosts.synced() || !reachability.synced()) {
            return ReconcileResult.requeueAfter(NOT_SYNCED_RETRY);
        }
        ObjectKey key = new ObjectKey("network", name);
        Optional<StoredObject> object = networks.get(name);
        try {
            if (object.isPresent() && !object.get().valid()) {
                String message = object.get().errors().stream().limit(5).map(ValidationError::toString)
                        .collect(Collectors.joining("; "));
                write(key, object.get().raw().modRevision(), false, "", 0, Optional.of(new NetworkOutcome.Failure("InvalidSpec", message)));
                return ReconcileResult.done();
            }
            Optional<NetworkSpec> spec = object.flatMap(StoredObject::resource).map(r -> r.spec(NetworkSpec.class));
            boolean needed = neededHere().contains(name);
            Reachability reach = reachability.now();
            List<Peer> peers = peers(name, reach);
            NetworkOutcome outcome = reconciler.reconcile(name, spec, needed, peers);
            last.put(name, outcome);
            advertise(name, spec, outcome.takesPart());
            if (!outcome.actions().isEmpty()) {
                List<String> actions = outcome.actions();
                log.info("network/{}: {}{}", name, String.join("; ", actions.subList(0, Math.min(actions.size(), 10))),
                        actions.size() > 10 ? "; and " + (actions.size() - 10) + " more" : "");
            }
            if (!outcome.takesPart() && outcome.failure().isEmpty()) {
                status.delete(key);
                last.remove(name);
            } else {
                write(key, object.map(o -> o.raw().modRevision()).orElse(0L), outcome.failure().isEmpty(),
                        outcome.range(), outcome.peers(), outcome.failure());
            }
            // A lingering peer whose probes fail drops out when its grace ends, with no event: look again then.
            return outcome.failure().map(f -> ReconcileResult.failed(f.reason() + ": " + f.message()))
                    .orElse(reach.untilNextChange().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done()));
        } catch (StoreException e) {
            // etcd refusing the operator is said once a minute by RefusalWarnings, not on every retry of every key
            return dev.berth.operator.store.EtcdRefusals.isRefusal(e) ? ReconcileResult.failedQuietly("etcd: " + e.getMessage())
                    : ReconcileResult.failed("etcd: " + e.getMessage());
        }
    }

    /** Live records that have an underlay address, then the Unknown hosts still reached on this Network. */
    private List<Peer> peers(String network, Reachability reach) {
        List<Peer> peers = new ArrayList<>(hosts.names().stream().map(hosts::get).flatMap(Optional::stream)
                .filter(h -> !h.name().equals(host.name()) && h.underlayIp() != null)
                .map(h -> new Peer(h.name(), h.underlayIp(),
                        h.networks().stream().map(HostRecord.HostNetwork::name).collect(Collectors.toSet())))
                .toList());
        Set<String> named = peers.stream().map(Peer::host).collect(Collectors.toSet());
        for (Peer lingering : reach.lingeringPeers(network)) {
            if (!lingering.host().equals(host.name()) && named.add(lingering.host())) {
                peers.add(lingering);
            }
        }
        return peers;
    }

    private void advertise(String name, Optional<NetworkSpec> spec, boolean takesPart) {
        registration.update(record -> {
            List<HostRecord.HostNetwork> next = new ArrayList<>(record.networks().stream()
                    .filter(n -> !n.name().equals(name)).toList());
            if (takesPart && spec.isPresent()) {
                next.add(new HostRecord.HostNetwork(name, spec.get().vni(), spec.get().port()));
            }
            next.sort(java.util.Comparator.comparing(HostRecord.HostNetwork::name));
            return next.equals(record.networks()) ? record : record.withNetworks(next, clock.instant().toString());
        });
    }

    private void write(ObjectKey key, long revision, boolean ready, String range, int peers,
                       Optional<NetworkOutcome.Failure> failure) {
        Optional<ObjectStatus> previous = status.last(key);
        String now = clock.instant().toString();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new Condition(Condition.READY, ready ? "True" : "False", ready ? "Programmed" : "NotProgrammed",
                ready ? "range " + range + ", " + peers + " peer(s)" : "", null));
        conditions.add(failure.map(f -> new Condition(Condition.DEGRADED, "True", f.reason(), f.message(), null))
                .orElse(new Condition(Condition.DEGRADED, "False", "AsExpected", "", null)));
        List<Condition> timed = conditions.stream()
                .map(c -> c.since(previous.flatMap(p -> p.condition(c.type())).orElse(null), now)).toList();
        // Cleared once a pass fails no more, as a stack's: a recovered error is history (the events keep it).
        String lastError = failure.map(f -> f.reason() + ": " + f.message()).orElse(null);
        status.write(key, new ObjectStatus(host.name(), revision, timed, Map.of(), lastError,
                previous.map(ObjectStatus::since).orElse(now)));
    }
}
