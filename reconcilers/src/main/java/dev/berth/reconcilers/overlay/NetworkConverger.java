package dev.berth.reconcilers.overlay;

import dev.berth.reconcilers.docker.Endpoint;
import dev.berth.reconcilers.docker.OverlayNetworkPlan;
import dev.berth.crds.ObjectKey;
import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.link.FdbEntry;
import dev.berth.reconcilers.link.LinkAction;
import dev.berth.reconcilers.link.LinkDriverException;
import dev.berth.reconcilers.link.LinkDriver;
import dev.berth.reconcilers.link.LinkState;
import dev.berth.reconcilers.link.NeighEntry;
import dev.berth.reconcilers.link.OverlayDesired;
import dev.berth.reconcilers.link.OverlayPlanner;
import dev.berth.reconcilers.link.VxlanDevice;
import dev.berth.reconcilers.labels.BerthLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One overlay Network on this host: subnet lease, Docker bridge network, VXLAN device on its bridge and flood
 * entries to every peer — or, when the host no longer needs it (or it was deleted), all of that removed, but
 * only once no container is attached any more. A full pass reads the kernel back and diffs it, so a deleted
 * device or entry is put back; it runs at first, after a failure, on every resync ({@link #recheckAll}) and when
 * Docker reports a change to the Network's Docker network. In between, a pass where only the peers changed diffs
 * them against what the last pass left (flood mode), without the lease, Docker or a kernel read.
 */
public final class NetworkConverger {
    private static final Logger log = LoggerFactory.getLogger(NetworkConverger.class);

    private final String instance;
    private final OverlayHost host;
    private final Docker docker;
    private final LinkDriver links;
    private final SubnetLeases leases;
    private final EndpointDirectory endpoints;
    /** Per Network: the spec and range a full pass last established here (see {@link #recheck}). */
    private final java.util.Map<String, Established> established = new java.util.concurrent.ConcurrentHashMap<>();

    private record Established(NetworkSpec spec, Ipv4Cidr range) {
    }

    /** Per Network: its kernel objects as the last pass that changed only entries left them. */
    private final java.util.Map<String, LinkState> knownKernel = new java.util.concurrent.ConcurrentHashMap<>();

    public NetworkConverger(String instance, OverlayHost host, Docker docker, LinkDriver links, SubnetLeases leases,
                             EndpointDirectory endpoints) {
        this.endpoints = endpoints;
        this.instance = instance;
        this.host = host;
        this.docker = docker;
        this.links = links;
        this.leases = leases;
    }

    /**
     * @param desired the spec while the Network exists in etcd (empty once etcd says it is gone)
     * @param needed  whether a stack placed on this host uses it
     */
    public NetworkOutcome reconcile(String name, Optional<NetworkSpec> desired, boolean needed, List<Peer> peers) {
        if (desired.isPresent() && needed) {
            return ensure(name, desired.get(), peers);
        }
        return tearDown(name, desired.isEmpty());
    }

    /**
     * Forgets what earlier passes established (lease, Docker network), so the next pass checks
     * it all again: on resync, and when Docker reports a change to the Network's own Docker network.
     */
    public void recheck(String name) {
        established.remove(name);
        knownKernel.remove(name);
    }

    public void recheckAll() {
        established.clear();
        knownKernel.clear();
    }

    private NetworkOutcome ensure(String name, NetworkSpec spec, List<Peer> peers) {
        Established known = established.remove(name);
        if (known != null && known.spec().equals(spec) && !spec.unicast()) {
            // Only peers changed since the last pass (e.g. hosts arriving): the kernel is all there is to do.
            List<String> actions = new ArrayList<>();
            OverlayDesired kernel = OverlayPlans.kernel(instance, name, spec, host, peers, java.util.Map.of());
            try {
                applyKernel(name, kernel, actions, true);
            } catch (LinkDriverException e) {
                return failed(true, known.range(), actions, "LinkFailed", e.getMessage());
            }
            established.put(name, known);
            int peerCount = (int) kernel.fdb().stream().map(FdbEntry::dst).distinct().count();
            return new NetworkOutcome(true, known.range().toString(), peerCount, kernel.fdb().size(), actions, Optional.empty());
        }
        NetworkOutcome outcome = ensureAll(name, spec, peers);
        if (outcome.failure().isEmpty()) {
            established.put(name, new Established(spec, Ipv4Cidr.parse(outcome.range())));
        }
        return outcome;
    }

    private NetworkOutcome ensureAll(String name, NetworkSpec spec, List<Peer> peers) {
        List<String> actions = new ArrayList<>();
        Ipv4Cidr range = leases.acquire(name, Ipv4Cidr.parse(spec.subnet()), spec.hostPrefix(), host.name());
        OverlayNetworkPlan plan = OverlayPlans.dockerNetwork(instance, name, spec, range, host);
        try {
            Optional<ObservedNetwork> existing = docker.findNetwork(plan.dockerName());
            if (existing.isPresent() && !BerthLabels.isManaged(existing.get().labels(), instance)) {
                return failed(true, range, actions, "NameConflict", "a Docker network named " + plan.dockerName()
                        + " exists and is not Berth's; rename or remove it");
            }
            if (existing.isPresent() && !plan.specHash().equals(existing.get().labels().get(BerthLabels.SPEC_HASH))) {
                int attached = docker.attachedContainers(existing.get().id());
                if (attached > 0) {
                    return failed(true, range, actions, "NetworkChanged", "the Network's settings changed but "
                            + attached + " container(s) still use its Docker network; they are replaced first");
                }
                docker.removeNetwork(existing.get().id(), plan.dockerName());
                actions.add("remove Docker network " + plan.dockerName() + " (settings changed)");
                existing = Optional.empty();
            }
            if (existing.isEmpty()) {
                docker.createOverlayNetwork(plan);
                actions.add("create Docker network " + plan.dockerName() + " range " + plan.ipRange());
            }
        } catch (DockerActionException e) {
            return failed(true, range, actions, e.reason(), e.getMessage());
        }
        // This host's own list is the endpoint publisher's (every mode, for names too); unicast only reads them all.
        java.util.Map<String, List<Endpoint>> remote = spec.unicast() ? endpoints.all(name) : java.util.Map.of();
        OverlayDesired kernel = OverlayPlans.kernel(instance, name, spec, host, peers, remote);
        try {
            applyKernel(name, kernel, actions, false);
        } catch (LinkDriverException e) {
            return failed(true, range, actions, "LinkFailed", e.getMessage());
        }
        int peerCount = (int) kernel.fdb().stream().map(FdbEntry::dst).distinct().count();
        return new NetworkOutcome(true, range.toString(), peerCount, kernel.fdb().size(), actions, Optional.empty());
    }

    private NetworkOutcome tearDown(String name, boolean deleted) {
        established.remove(name);
        List<String> actions = new ArrayList<>();
        try {
            Optional<ObservedNetwork> existing = docker.findNetwork(OverlayNames.dockerNetwork(name))
                    .filter(n -> BerthLabels.isManaged(n.labels(), instance)
                            && ObjectKey.network(name).toString().equals(n.labels().get(BerthLabels.OWNER)));
            if (existing.isPresent()) {
                int attached = docker.attachedContainers(existing.get().id());
                if (attached > 0) {
                    // Never pull the network from under running containers: their stacks go first.
                    return failed(true, leases.current(name, host.name()).map(Object::toString).orElse(""), actions,
                            "InUse", "network " + name + (deleted ? " was deleted but " : " is no longer needed here but ")
                                    + attached + " container(s) still use it; it is removed once they are gone");
                }
            }
            applyKernel(name, new OverlayDesired(List.of(), List.of(), List.of()), actions, false);
            if (existing.isPresent()) {
                docker.removeNetwork(existing.get().id(), OverlayNames.dockerNetwork(name));
                actions.add("remove Docker network " + name);
            }
        } catch (DockerActionException e) {
            return failed(false, "", actions, e.reason(), e.getMessage());
        } catch (LinkDriverException e) {
            return failed(false, "", actions, "LinkFailed", e.getMessage());
        }
        // No container is attached any more and the Docker network is gone: the publisher withdraws the same key.
        endpoints.withdraw(name, host.name());
        if (leases.current(name, host.name()).isPresent()) {
            leases.release(name, host.name());
            actions.add("release subnet lease");
        }
        return new NetworkOutcome(false, "", 0, 0, actions, Optional.empty());
    }

    /**
     * Plans against this Network's own kernel objects only (found by the device's ifalias), then applies. With
     * {@code trustKnown} (only peers changed since a pass that worked) it plans against what that pass left instead
     * of reading the kernel again: a thousand hosts arriving cost one FDB diff, not a read-back per pass. A full
     * pass, and so the repair of hand-made changes, still comes with every resync.
     */
    private void applyKernel(String name, OverlayDesired desired, List<String> actions, boolean trustKnown) {
        LinkState known = knownKernel.remove(name);
        LinkState scoped = trustKnown && known != null ? known : readScoped(name, desired);
        List<LinkAction> plan = OverlayPlanner.plan(desired, scoped);
        if (!plan.isEmpty()) {
            long start = System.nanoTime();
            links.apply(plan);
            plan.forEach(a -> actions.add(a.describe()));
            log.info("network/{}: {} kernel action(s) applied in {} ms", name, plan.size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        if (!desired.devices().isEmpty() && plan.stream().allMatch(NetworkConverger::entryOnly)) {
            // The devices are as read; the entries are now exactly the desired ones (the planner removes the rest).
            knownKernel.put(name, new LinkState(scoped.devices(), scoped.bridges(), desired.fdb(), desired.neighbours()));
        }
    }

    private static boolean entryOnly(LinkAction a) {
        return a instanceof LinkAction.AppendFdb || a instanceof LinkAction.ReplaceFdb || a instanceof LinkAction.DeleteFdb
                || a instanceof LinkAction.ReplaceNeigh || a instanceof LinkAction.DeleteNeigh;
    }

    private LinkState readScoped(String name, OverlayDesired desired) {
        LinkState all = links.read();
        String alias = OverlayNames.alias(instance, name);
        List<VxlanDevice> mine = all.devices().stream().filter(d -> alias.equals(d.alias())).toList();
        Set<String> names = mine.stream().map(VxlanDevice::name).collect(Collectors.toCollection(java.util.HashSet::new));
        desired.devices().forEach(d -> names.add(d.name()));
        Set<String> masters = mine.stream().map(VxlanDevice::master).filter(m -> m != null)
                .collect(Collectors.toCollection(java.util.HashSet::new));
        desired.devices().forEach(d -> masters.add(d.master()));
        // A device of that name that another Network or another Berth instance owns is not ours to recreate.
        Optional<VxlanDevice> foreign = all.devices().stream()
                .filter(d -> names.contains(d.name()) && !alias.equals(d.alias())).findFirst();
        if (foreign.isPresent() && !desired.devices().isEmpty()) {
            throw new LinkDriverException("device " + foreign.get().name() + " already belongs to "
                    + foreign.get().alias() + "; two Networks (or Berth instances) use VNI "
                    + desired.devices().get(0).vni() + " on this host");
        }
        List<VxlanDevice> scopedDevices = all.devices().stream().filter(d -> alias.equals(d.alias())).toList();
        List<FdbEntry> scopedFdb = all.fdb().stream().filter(f -> names.contains(f.device())).toList();
        List<NeighEntry> scopedNeigh = all.neighbours().stream().filter(n -> masters.contains(n.device())).toList();
        return new LinkState(scopedDevices, all.bridges(), scopedFdb, scopedNeigh);
    }

    private static NetworkOutcome failed(boolean takesPart, Object range, List<String> actions, String reason, String message) {
        return new NetworkOutcome(takesPart, String.valueOf(range), 0, 0, actions,
                Optional.of(new NetworkOutcome.Failure(reason, message)));
    }
}
