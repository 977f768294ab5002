package dev.berth.operator.cache;

import dev.berth.crds.KindDef;
import dev.berth.operator.kit.Source;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.store.EtcdKv;
import dev.berth.crds.ObjectKey;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The desired objects of one kind, mirrored from etcd by an {@link EtcdInformer}. A key whose YAML does not
 * parse is kept as an invalid object (with its errors), so only that object is affected.
 */
public final class DesiredInformer implements AutoCloseable, Source<String> {
    private final EtcdInformer<StoredObject> informer;
    private final KindDef kind;

    /** One informer for tests that watch a kind by hand; operators get theirs from {@link Informers}. */
    public DesiredInformer(KindDef kind, EtcdKv kv, ResourceStore store, Consumer<ObjectKey> onChange,
                           RetryPolicy reconnect, MeterRegistry registry) {
        this(kind, kv, store, reconnect, registry);
        addHandler(name -> onChange.accept(new ObjectKey(kind.singular(), name)));
    }

    public DesiredInformer(KindDef kind, EtcdKv kv, ResourceStore store, RetryPolicy reconnect, MeterRegistry registry) {
        this.kind = kind;
        EtcdInformer.Codec<StoredObject> codec = new EtcdInformer.Codec<>() {
            @Override
            public Optional<String> name(String key) {
                return store.keys().parseDesired(key).filter(k -> k.kind().equals(kind.singular())).map(ObjectKey::name);
            }

            @Override
            public StoredObject decode(String name, StoredValue value) {
                return store.toObject(kind, name, value);
            }

            @Override
            public long revision(StoredObject value) {
                return value.raw().modRevision();
            }
        };
        this.informer = new EtcdInformer<>(kind.singular(), store.keys().kindPrefix(kind.singular()), kv, codec,
                reconnect, registry);
    }

    public KindDef kind() {
        return kind;
    }

    /** Told the name of every object of this kind that changed. */
    @Override
    public void addHandler(Consumer<String> handler) {
        informer.addHandler(handler);
    }

    public String prefix() {
        return informer.prefix();
    }

    public void start() {
        informer.start();
    }

    /** True once one list succeeded; before that nothing may be deleted on the strength of this cache. */
    public boolean synced() {
        return informer.synced();
    }

    public Optional<StoredObject> get(String name) {
        return informer.get(name);
    }

    public Set<String> names() {
        return informer.names();
    }

    /** The resync timer: re-lists only if the watch does not answer (see {@link EtcdInformer#resync()}). */
    public void resync() {
        informer.resync();
    }

    /** Starts a watch from an older revision, as a watch that was disconnected for a while would resume. */
    public void watchFromForTest(long revision) {
        informer.watchFromForTest(revision);
    }

    @Override
    public void close() {
        informer.close();
    }
}
