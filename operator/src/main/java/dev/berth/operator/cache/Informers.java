package dev.berth.operator.cache;

import dev.berth.crds.KindDef;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.ResourceStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The informers of one operator process: exactly one etcd list + watch per key prefix, shared by every controller
 * that watches it (each adds its own handlers). Asking twice for a prefix returns the same informer; asking for
 * one prefix as two different things is a programming error and fails at start-up.
 */
public final class Informers implements AutoCloseable {
    private final EtcdKv kv;
    private final ResourceStore store;
    private final RetryPolicy retry;
    private final MeterRegistry registry;
    /** By prefix, in the order they were asked for (which is the order they start). */
    private final Map<String, Object> byPrefix = new LinkedHashMap<>();
    private final List<Runnable> starts = new ArrayList<>();
    private final List<Runnable> resyncs = new ArrayList<>();
    private final List<AutoCloseable> closes = new ArrayList<>();
    private boolean started;

    public Informers(EtcdKv kv, ResourceStore store, RetryPolicy retry, MeterRegistry registry) {
        this.kv = kv;
        this.store = store;
        this.retry = retry;
        this.registry = registry;
    }

    /** The desired objects of one kind. */
    public synchronized DesiredInformer desired(KindDef kind) {
        return shared(store.keys().kindPrefix(kind.singular()), DesiredInformer.class, () -> {
            DesiredInformer informer = new DesiredInformer(kind, kv, store, retry, registry);
            register(informer::start, informer::resync, informer);
            return informer;
        });
    }

    /** Any other prefix, decoded by {@code codec}; {@code type} is what the codec makes (checked per prefix). */
    public synchronized <T> EtcdInformer<T> prefix(String label, String prefix, Class<T> type, EtcdInformer.Codec<T> codec) {
        @SuppressWarnings("unchecked")
        Typed<T> typed = shared(prefix, Typed.class, () -> {
            EtcdInformer<T> informer = new EtcdInformer<>(label, prefix, kv, codec, retry, registry);
            register(informer::start, informer::resync, informer);
            return new Typed<>(type, informer);
        });
        if (!typed.type().equals(type)) {
            throw new IllegalStateException("the prefix " + prefix + " is already mirrored as " + typed.type().getSimpleName()
                    + ", not as " + type.getSimpleName());
        }
        return typed.informer();
    }

    private <I> I shared(String prefix, Class<I> kind, Supplier<I> make) {
        Object existing = byPrefix.get(prefix);
        if (existing == null) {
            I made = make.get();
            byPrefix.put(prefix, made);
            return made;
        }
        if (!kind.isInstance(existing)) {
            throw new IllegalStateException("the prefix " + prefix + " is already mirrored as something else");
        }
        return kind.cast(existing);
    }

    private void register(Runnable start, Runnable resync, AutoCloseable close) {
        if (started) {
            start.run();
        }
        starts.add(start);
        resyncs.add(resync);
        closes.add(close);
    }

    /** The prefixes mirrored, one informer (and one watch) each. */
    public synchronized List<String> prefixes() {
        return List.copyOf(byPrefix.keySet());
    }

    public synchronized void start() {
        started = true;
        starts.forEach(Runnable::run);
    }

    /** The resync timer: each informer checks its watch is alive and re-lists only if not (see EtcdInformer). */
    public synchronized void resync() {
        resyncs.forEach(Runnable::run);
    }

    /** Re-lists every prefix now (etcd is back after an outage); changes reach the handlers as events. */
    public synchronized void relist() {
        if (started) {
            starts.forEach(Runnable::run);
        }
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : closes) {
            try {
                c.close();
            } catch (Exception e) {
                // informers close idempotently and quietly; nothing to add here
            }
        }
    }

    private record Typed<T>(Class<T> type, EtcdInformer<T> informer) {
    }
}
