package dev.berth.operator.overlay;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.KindDef;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.ObservedCache;
import dev.berth.operator.control.ControllerLoop;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.control.HostRegistration;
import dev.berth.operator.control.StatusWriter;
import dev.berth.operator.queue.RateLimit;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.queue.WorkQueue;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.link.IpRouteDriver;
import dev.berth.reconcilers.overlay.NetworkConverger;
import dev.berth.reconcilers.overlay.OverlayHost;
import dev.berth.reconcilers.overlay.OverlayNames;
import dev.berth.reconcilers.stack.HostInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Everything overlay Networks need in a running operator: the Network and host-record caches, the Network
 * work queue and controller, and the hooks that re-queue Networks when stacks, peers or Docker change.
 */
public final class OverlayRuntime implements AutoCloseable {
    private final WorkQueue queue;
    private final DesiredInformer networks;
    private final EtcdInformer<HostRecord> hosts;
    private final NetworkConverger reconciler;
    private final EtcdInformer<String> endpoints;
    private final ControllerLoop loop;
    private final ObservedCache observed;
    private final NetworkReconciler controller;
    private final MultiGauge peersGauge;
    private final MultiGauge fdbGauge;

    public OverlayRuntime(KindDef networkKind, EtcdKv kv, KeyLayout keys, ResourceStore store, DesiredInformer stacks,
                          ObservedCache observed, HostRegistration registration, HostInfo hostInfo, String instance,
                          OverlayHost underlay, Optional<String> netns, Docker docker, StatusWriter status,
                          RetryPolicy retry, int workers, MeterRegistry registry) {
        this.observed = observed;
        queue = new WorkQueue("network", retry, RateLimit.defaults(), registry);
        networks = new DesiredInformer(networkKind, kv, store, key -> queue.add(key.name()), retry, registry);
        hosts = new EtcdInformer<>("hosts", keys.hostsPrefix(), kv, new HostRecordCodec(keys),
                host -> enqueueAll(), retry, registry);
        reconciler = new NetworkConverger(instance, underlay, docker,
                new CountingLinkDriver(new IpRouteDriver(netns), registry), new EtcdSubnetLeases(kv, keys), new EtcdEndpointDirectory(kv, keys));
        endpoints = new EtcdInformer<>("endpoints", EtcdEndpointDirectory.prefix(keys), kv, new RawCodec(keys),
                key -> enqueueAll(), retry, registry);
        controller = new NetworkReconciler(hostInfo, networks, stacks, hosts, reconciler, status, registration,
                Clock.systemUTC());
        peersGauge = MultiGauge.builder("berth.overlay.peers")
                .description("Peer hosts programmed for a Network on this host").register(registry);
        fdbGauge = MultiGauge.builder("berth.overlay.fdb.entries")
                .description("FDB entries Berth keeps on a Network's VXLAN device on this host").register(registry);
        loop = new ControllerLoop("network", queue, name -> {
            var result = controller.reconcile(name);
            refreshGauges();
            return result;
        }, workers, registry);
        Gauge.builder("berth.overlay.networks", controller, c -> c.lastOutcomes().size())
                .description("Overlay Networks this host takes part in").register(registry);
    }

    /** One series per Network this host takes part in (a bounded label: Networks are declared objects). */
    private void refreshGauges() {
        var outcomes = controller.lastOutcomes();
        peersGauge.register(outcomes.entrySet().stream().map(e -> MultiGauge.Row.of(
                io.micrometer.core.instrument.Tags.of("network", e.getKey()), e.getValue().peers())).toList(), true);
        fdbGauge.register(outcomes.entrySet().stream().map(e -> MultiGauge.Row.of(
                io.micrometer.core.instrument.Tags.of("network", e.getKey()), e.getValue().fdbEntries())).toList(), true);
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

    public void start() {
        networks.start();
        hosts.start();
        endpoints.start();
        loop.start();
    }

    /** Stacks changed: which Networks this host needs may have changed too. */
    public void stacksChanged() {
        enqueueAll();
    }

    /** Docker saw a change on an owner; Networks own their Docker networks. */
    public void observedChanged(String owner) {
        if (owner.startsWith("network/")) {
            reconciler.recheck(owner.substring("network/".length()));
            queue.addUnlessBackingOff(owner.substring("network/".length()));
        } else {
            // A container came or went: unicast Networks publish this host's endpoints again.
            enqueueAll();
        }
    }

    public void resync() {
        reconciler.recheckAll();
        networks.resync();
        hosts.resync();
        endpoints.resync();
        enqueueAll();
    }

    private void enqueueAll() {
        Set<String> names = new HashSet<>(networks.names());
        names.addAll(controller.lastOutcomes().keySet());
        names.addAll(controller.neededHere());
        observed.owners().stream().filter(o -> o.startsWith("network/")).forEach(o -> names.add(o.substring(8)));
        names.forEach(queue::addUnlessBackingOff);
    }

    @Override
    public void close() {
        loop.stop(Duration.ofSeconds(20));
        networks.close();
        hosts.close();
        endpoints.close();
    }

    /** Endpoint lists are only a trigger here: the reconciler reads them itself. */
    private static final class RawCodec implements EtcdInformer.Codec<String> {
        private final String prefix;

        RawCodec(KeyLayout keys) {
            this.prefix = EtcdEndpointDirectory.prefix(keys);
        }

        @Override
        public Optional<String> name(String key) {
            return key.startsWith(prefix) ? Optional.of(key.substring(prefix.length())) : Optional.empty();
        }

        @Override
        public String decode(String name, StoredValue value) {
            return value.value();
        }

        @Override
        public long revision(String value) {
            return -1;
        }
    }

    /** Host records are JSON on a lease; one that does not decode is skipped (it is another version's). */
}
