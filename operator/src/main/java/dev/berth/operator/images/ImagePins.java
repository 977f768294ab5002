package dev.berth.operator.images;

import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.cache.RawValues;
import dev.berth.operator.kit.Source;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The image pins of every stack as this operator's informer mirrors them ({@link KeyLayout#imagePinsPrefix()}), so a
 * stack pass reads no etcd to learn what its services run. A change (a pin another host proposed, pins deleted with
 * their stack) names the stack: the stack controller looks at it again.
 */
public final class ImagePins implements Source<String> {
    private final EtcdInformer<StoredValue> informer;
    private final ImagePinStore codec;
    /** Decoded once per revision: every pass of every stack asks. */
    private final Map<String, Decoded> decoded = new ConcurrentHashMap<>();

    private record Decoded(long revision, Map<String, ImagePin> pins) {
    }

    /** @param codec decodes the stored JSON (the store that writes it) */
    public ImagePins(EtcdInformer<StoredValue> informer, ImagePinStore codec) {
        this.informer = informer;
        this.codec = codec;
    }

    /** The raw codec an informer over {@link KeyLayout#imagePinsPrefix()} uses. */
    public static RawValues codec(KeyLayout keys) {
        return new RawValues(keys.imagePinsPrefix());
    }

    public boolean synced() {
        return informer.synced();
    }

    /** The pin of {@code service} in {@code stack}, as last seen; a record that does not decode counts as none. */
    public Optional<ImagePin> of(String stack, String service) {
        Optional<StoredValue> raw = informer.get(stack);
        if (raw.isEmpty()) {
            decoded.remove(stack);
            return Optional.empty();
        }
        Decoded known = decoded.get(stack);
        if (known == null || known.revision() != raw.get().modRevision()) {
            known = new Decoded(raw.get().modRevision(), codec.decode(raw.get().value()));
            decoded.put(stack, known);
        }
        return Optional.ofNullable(known.pins().get(service));
    }

    @Override
    public void addHandler(Consumer<String> handler) {
        informer.addHandler(handler);
    }
}
