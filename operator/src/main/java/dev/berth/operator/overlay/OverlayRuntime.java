package dev.berth.operator.overlay;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.KindDef;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.Informers;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.cache.RawValues;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRecordCodec;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.kit.Controller;
import dev.berth.operator.kit.ControllerBuilder;
import dev.berth.operator.kit.Source;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.OverlayDocker;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Overlay Networks in a running operator whose host has an underlay: the {@code network} controller's declaration,
 * the view stacks have of the Networks, and the overlay's gauges.
 */
public final class OverlayRuntime {
    private final DesiredInformer networks;
    private final EtcdInformer<HostRecord> hosts;
    private final ObservedCache observed;
    private final NetworkReconciler reconciler;
    private final Controller controller;
    private final MultiGauge peersGauge;
    private final MultiGauge fdbGauge;

    public OverlayRuntime(Informers informers, KindDef networkKind, DesiredInformer stacks, ObservedCache observed,
                          Source<ObjectKey> owners, EtcdKv kv, KeyLayout keys, HostRegistration registration,
                          HostInfo hostInfo, String instance, OverlayHost underlay, Optional<String> netns,
                          DockerClient docker, StatusWriter status, RetryPolicy retry, int workers,
                          MeterRegistry registry) {
        this.observed = observed;
        networks = informers.desired(networkKind);
        hosts = informers.prefix("hosts", keys.hostsPrefix(), HostRecord.class, new HostRecordCodec(keys));
        String endpointPrefix = EtcdEndpointDirectory.prefix(keys);
        EtcdInformer<StoredValue> endpoints = informers.prefix("endpoints", endpointPrefix, StoredValue.class,
                new RawValues(endpointPrefix));
        NetworkConverger converger = new NetworkConverger(instance, underlay, new OverlayDocker(docker),
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
        // Docker changed a Network's own Docker network: the next pass reads everything back, not only peers.
        // Registered before the controller's handlers, so the flag is set before the key is queued.
        owners.addHandler(owner -> owner.nameIf(ObjectKey.NETWORK).ifPresent(converger::recheck));
        controller = ControllerBuilder.named("network")
                .forObjects(networks)
                .owns(owners, ObjectKey.NETWORK)
                // A container came or went: unicast Networks publish this host's endpoints again.
                .watches(owners, owner -> owner.kind().equals(ObjectKey.NETWORK) ? List.of() : allKeys())
                // Which Networks this host needs follows the stacks; its peers follow the host records.
                .watches(stacks, stack -> allKeys())
                .watches(hosts, host -> allKeys())
                .watches(endpoints, list -> allKeys())
                .allKeys(this::allKeys)
                .onResync(converger::recheckAll)
                .reconciler(name -> {
                    var result = reconciler.reconcile(name);
                    refreshGauges();
                    return result;
                })
                .workers(workers)
                .build(retry, registry);
    }

    public Controller controller() {
        return controller;
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

    public boolean synced() {
        return networks.synced() && hosts.synced();
    }

    private Collection<String> allKeys() {
        Set<String> names = new HashSet<>(networks.names());
        names.addAll(reconciler.lastOutcomes().keySet());
        names.addAll(reconciler.neededHere());
        observed.owners().stream().map(ObjectKey::tryParse).flatMap(Optional::stream)
                .map(k -> k.nameIf(ObjectKey.NETWORK)).flatMap(Optional::stream).forEach(names::add);
        return names;
    }
}
