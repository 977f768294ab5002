package dev.berth.operator.overlay;

import dev.berth.crds.ObjectKey;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.kit.Reconciler;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.link.IpRouteDriver;
import dev.berth.reconcilers.overlay.NetworkConverger;
import dev.berth.reconcilers.overlay.OverlayHost;
import dev.berth.reconcilers.stack.HostInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The parts of the {@code network} controller that {@code Operator} declares: its reconciler (which also keeps the
 * overlay gauges), the keys there may be work for, the forced full pass, and the Networks as stacks see them.
 */
public final class OverlayRuntime {
    private final DesiredInformer networks;
    private final EtcdInformer<HostRecord> hosts;
    private final ObservedCache observed;
    private final NetworkConverger converger;
    private final NetworkReconciler reconciler;
    private final MultiGauge peersGauge;
    private final MultiGauge fdbGauge;

    public OverlayRuntime(DesiredInformer networks, EtcdInformer<HostRecord> hosts, DesiredInformer stacks,
                          ObservedCache observed, EtcdKv kv, KeyLayout keys, HostRegistration registration,
                          HostInfo hostInfo, String instance, OverlayHost underlay, Optional<String> netns,
                          Docker docker, StatusWriter status, MeterRegistry registry) {
        this.networks = networks;
        this.hosts = hosts;
        this.observed = observed;
        converger = new NetworkConverger(instance, underlay, docker,
                new CountingLinkDriver(new IpRouteDriver(netns), registry), new EtcdSubnetLeases(kv, keys),
                new EtcdEndpointDirectory(kv, keys));
        reconciler = new NetworkReconciler(hostInfo, networks, stacks, hosts, converger, status, registration,
                Clock.systemUTC());
        peersGauge = MultiGauge.builder("berth.overlay.peers")
                .description("Peer hosts programmed for a Network on this host").register(registry);
        fdbGauge = MultiGauge.builder("berth.overlay.fdb.entries")
                .description("FDB entries Berth keeps on a Network's VXLAN device on this host").register(registry);
        Gauge.builder("berth.overlay.networks", reconciler, r -> r.lastOutcomes().size())
                .description("Overlay Networks this host takes part in").register(registry);
    }

    /** The Network reconciler; after each pass the overlay gauges show its outcome. */
    public Reconciler reconciler() {
        return (name, deadline) -> {
            var result = reconciler.reconcile(name, deadline);
            refreshGauges();
            return result;
        };
    }

    /** Docker changed a Network's own Docker network: its next pass reads everything back, not only peers. */
    public void recheck(String network) {
        converger.recheck(network);
    }

    /** The resync timer: every Network's next pass reads everything back. */
    public void recheckAll() {
        converger.recheckAll();
    }

    /** One series per Network this host takes part in (a bounded label: Networks are declared objects). */
    private void refreshGauges() {
        var outcomes = reconciler.lastOutcomes();
        peersGauge.register(outcomes.entrySet().stream().map(e -> MultiGauge.Row.of(
                Tags.of("network", e.getKey()), e.getValue().peers())).toList(), true);
        fdbGauge.register(outcomes.entrySet().stream().map(e -> MultiGauge.Row.of(
                Tags.of("network", e.getKey()), e.getValue().fdbEntries())).toList(), true);
    }

    /** What stacks see of the overlays: declared in etcd, and present as a Docker network here. */
    public ExternalNetworks externalNetworks() {
        return new ExternalNetworks() {
            @Override
            public boolean declared(String network) {
                return networks.get(network).map(StoredObject::valid).orElse(false);
            }

            @Override
            public boolean readyHere(String network) {
                return !observed.forOwner(ObjectKey.network(network).toString()).networks().isEmpty();
            }
        };
    }

    /**
     * This host's gateway address of each Network it takes part in (the first address of its leased range), where the
     * name responder listens. Read-only.
     */
    public java.util.Map<String, String> gatewaysHere() {
        java.util.Map<String, String> gateways = new java.util.TreeMap<>();
        reconciler.lastOutcomes().forEach((network, outcome) -> {
            if (outcome.takesPart() && outcome.range() != null) {
                gateways.put(network, dev.berth.crds.network.Ipv4Cidr.dotted(
                        dev.berth.crds.network.Ipv4Cidr.parse(outcome.range()).base() + 1));
            }
        });
        return gateways;
    }

    public boolean synced() {
        return networks.synced() && hosts.synced();
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
