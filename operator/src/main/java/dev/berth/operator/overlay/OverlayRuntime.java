package dev.berth.operator.overlay;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.StoredValue;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.kit.Source;
import dev.berth.operator.kit.Topic;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.ObservedNetwork;
import dev.berth.reconcilers.overlay.OverlayNames;
import dev.berth.reconcilers.link.IpRouteDriver;
import dev.berth.reconcilers.overlay.NetworkConverger;
import dev.berth.reconcilers.overlay.NetworkOutcome;
import dev.berth.reconcilers.overlay.OverlayHost;
import dev.berth.reconcilers.stack.HostInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of the {@code network} controller that {@code Operator} declares: its reconciler (which also keeps the
 * overlay gauges), the keys there may be work for, the forced full pass, the kernel's notifications about Berth's
 * devices ({@link KernelWatch}), and the Networks as stacks see them.
 */
public final class OverlayRuntime {
    private final DesiredInformer networks;
    private final EtcdInformer<HostRecord> hosts;
    private final ObservedCache observed;
    private final NetworkConverger converger;
    private final NetworkReconciler reconciler;
    private final EndpointPublisher endpoints;
    private final ReachabilityView reachability;
    private final NetworkGauges peersGauge;
    private final NetworkGauges fdbGauge;
    /** Networks whose next pass must read everything back (see {@link #recheck}). */
    private final Set<String> recheckPending = ConcurrentHashMap.newKeySet();
    /** Networks the kernel reported a change for, after {@link #recheck}: a source for the controller. */
    private final Topic<String> kernelChanges = new Topic<>("kernel");
    private final KernelWatch kernelWatch;
    private final IpRouteDriver kernel;

    public OverlayRuntime(DesiredInformer networks, EtcdInformer<HostRecord> hosts, DesiredInformer stacks,
                          EtcdInformer<StoredValue> endpointMirror, ObservedCache observed, EtcdKv kv, KeyLayout keys,
                          HostRegistration registration,
                          HostInfo hostInfo, String instance, OverlayHost underlay, Optional<String> netns,
                          Docker docker, StatusWriter status, ReachabilityView reachability, MeterRegistry registry) {
        this.networks = networks;
        this.hosts = hosts;
        this.observed = observed;
        this.reachability = reachability;
        EtcdEndpointDirectory directory = new EtcdEndpointDirectory(kv, keys);
        kernel = new IpRouteDriver(netns);
        OwnFdbChanges links = new OwnFdbChanges(new CountingLinkDriver(kernel, registry));
        converger = new NetworkConverger(instance, underlay, docker, links, new EtcdSubnetLeases(kv, keys), directory);
        endpoints = new EndpointPublisher(directory, endpointMirror, hostInfo.name(), instance, this::networksHere);
        observed.addListListener(endpoints::listed);
        reconciler = new NetworkReconciler(hostInfo, networks, stacks, hosts, reachability, converger, status, registration,
                Clock.systemUTC());
        peersGauge = new NetworkGauges(registry, "berth.overlay.peers", "Peer hosts programmed for a Network on this host",
                n -> Optional.ofNullable(reconciler.lastOutcomes().get(n)).map(NetworkOutcome::peers).orElse(0));
        fdbGauge = new NetworkGauges(registry, "berth.overlay.fdb.entries",
                "FDB entries Berth keeps on a Network's VXLAN device on this host",
                n -> Optional.ofNullable(reconciler.lastOutcomes().get(n)).map(NetworkOutcome::fdbEntries).orElse(0));
        Gauge.builder("berth.overlay.networks", reconciler, r -> r.lastOutcomes().size())
                .description("Overlay Networks this host takes part in").register(registry);
        // The echoes of Berth's own FDB changes concern no Network: the pass that made them knows what it left.
        kernelWatch = new KernelWatch(netns, event -> links.echo(event) ? List.of()
                : KernelWatch.networksConcerned(event, specs()), this::allKeys,
                network -> {
                    recheck(network);
                    kernelChanges.publish(network);
                }, registry);
    }

    /** The Network reconciler; after each pass the overlay gauges show its outcome. */
    public Reconciler reconciler() {
        return (name, deadline) -> {
            if (recheckPending.remove(name)) {
                converger.recheck(name);
            }
            var result = reconciler.reconcile(name, deadline);
            refreshGauges();
            return result;
        };
    }

    /**
     * Docker or the kernel changed something of a Network's: its next pass reads everything back, not only peers.
     * Noted here and applied when that pass begins, so a pass in flight, which may have read the kernel before the
     * change, cannot put back its trust in what it read.
     */
    public void recheck(String network) {
        recheckPending.add(network);
        converger.recheck(network);
    }

    /** Networks whose VXLAN device, FDB entries or neighbours the kernel reported changed (after {@link #recheck}). */
    public Source<String> kernelChanges() {
        return kernelChanges;
    }

    /** The kernel monitors: started after the controllers, stopped before them. */
    public KernelWatch kernelWatch() {
        return kernelWatch;
    }

    /** The declared Networks with a valid spec, by name. */
    private Map<String, NetworkSpec> specs() {
        Map<String, NetworkSpec> specs = new HashMap<>();
        for (String name : networks.names()) {
            networks.get(name).filter(StoredObject::valid).flatMap(StoredObject::resource)
                    .ifPresent(r -> specs.put(name, r.spec(NetworkSpec.class)));
        }
        return specs;
    }

    /** The resync timer: every Network's next pass reads everything back. */
    public void recheckAll() {
        converger.recheckAll();
    }

    /** One series per Network this host takes part in; each reads the last outcome when scraped. */
    private void refreshGauges() {
        Set<String> names = Set.copyOf(reconciler.lastOutcomes().keySet());
        peersGauge.networks(names);
        fdbGauge.networks(names);
    }

    /** Resync: this host's endpoint lists are read back from etcd and published again where they differ. */
    public void resyncEndpoints() {
        endpoints.resync();
    }

    /** Stops the bridge process kept for FDB batches (once the network controller has stopped). */
    public void closeLinks() {
        kernel.close();
    }

    /** Stops publishing endpoints; what was published stays (the containers keep running). */
    public void closeEndpoints() {
        endpoints.close();
    }

    /** The Berth Networks whose own Docker network exists here, as the observed cache last listed them. */
    Set<String> networksHere() {
        Set<String> names = new HashSet<>();
        for (String owner : observed.owners()) {
            ObjectKey.tryParse(owner).flatMap(k -> k.nameIf(ObjectKey.NETWORK))
                    .filter(name -> dockerNetwork(name).isPresent()).ifPresent(names::add);
        }
        return names;
    }

    /** The Network's own Docker network on this host (owner label network/NAME, named like the Network). */
    private Optional<ObservedNetwork> dockerNetwork(String network) {
        String dockerName = OverlayNames.dockerNetwork(network);
        return observed.forOwner(ObjectKey.network(network).toString()).networks().stream()
                .filter(n -> dockerName.equals(n.name())).findFirst();
    }

    /** What stacks see of the overlays: declared in etcd, and present as a Docker network here. */
    public ExternalNetworks externalNetworks() {
        return new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return networks.get(network).map(StoredObject::valid).orElse(false);
            }

            @Override
            public boolean synced() {
                return networks.synced();
            }

            @Override
            public boolean readyHere(String network) {
                return !observed.forOwner(ObjectKey.network(network).toString()).networks().isEmpty();
            }

            @Override
            public Optional<String> gateway(String network) {
                return dockerNetwork(network).map(ObservedNetwork::gateway);
            }
        };
    }

    /**
     * This host's leased range of each Network it takes part in, where its containers get their addresses. A pass that
     * failed before it had a lease leaves no range: that Network is left out, not the others.
     */
    public Map<String, Ipv4Cidr> rangesHere() {
        Map<String, Ipv4Cidr> ranges = new TreeMap<>();
        reconciler.lastOutcomes().forEach((network, outcome) -> {
            if (outcome.takesPart() && outcome.range() != null) {
                try {
                    ranges.put(network, Ipv4Cidr.parse(outcome.range()));
                } catch (IllegalArgumentException e) {
                    // no lease yet (""): nothing to listen on for this Network
                }
            }
        });
        return ranges;
    }

    /** This host's gateway address of each Network it takes part in (its range's first address): where names are answered. */
    public Map<String, String> gatewaysHere() {
        Map<String, String> gateways = new TreeMap<>();
        rangesHere().forEach((network, range) -> gateways.put(network, Ipv4Cidr.dotted(range.base() + 1)));
        return gateways;
    }

    public boolean synced() {
        return networks.synced() && hosts.synced() && reachability.synced();
    }

    /** Networks in etcd, those this host took part in or needs, and those with a Docker network here. */
    public Collection<String> allKeys() {
        Set<String> names = new HashSet<>(networks.names());
        names.addAll(reconciler.lastOutcomes().keySet());
        names.addAll(reconciler.neededHere());
        observed.owners().stream().map(ObjectKey::tryParse).flatMap(Optional::stream)
                .map(k -> k.nameIf(ObjectKey.NETWORK)).flatMap(Optional::stream).forEach(names::add);
        return names;
    }
}
