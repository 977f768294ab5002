package dev.berth.operator.images;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pinned images of each stack in etcd, one key per stack ({@link KeyLayout#imagePins}) holding a JSON map from
 * service to {@link ImagePin}. The first host to resolve a service's image for a generation records it; every other
 * host then runs exactly that reference (a tag moved meanwhile changes nothing until the next generation).
 */
public final class ImagePinStore {
    private static final int ATTEMPTS = 5;
    private static final TypeReference<TreeMap<String, ImagePin>> PINS = new TypeReference<>() {
    };
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final EtcdKv kv;
    private final KeyLayout keys;

    public ImagePinStore(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    /** The stack's pins by service; empty when it has none (or the record does not decode: then they are re-made). */
    public Map<String, ImagePin> read(String stack) {
        return kv.get(keys.imagePins(stack)).map(v -> decode(v.value())).orElse(Map.of());
    }

    /**
     * Records {@code pin} for {@code service} unless the stack already has a pin of that service with the same
     * generation (another host was first): returns the pin that holds, ours or theirs. A pin of an older generation
     * is replaced.
     */
    public ImagePin propose(String stack, String service, ImagePin pin) {
        String key = keys.imagePins(stack);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<StoredValue> stored = kv.get(key);
            Map<String, ImagePin> pins = new TreeMap<>(stored.map(v -> decode(v.value())).orElse(Map.of()));
            ImagePin existing = pins.get(service);
            if (existing != null && existing.generation().equals(pin.generation())) {
                return existing;
            }
            pins.put(service, pin);
            long guard = stored.map(StoredValue::modRevision).orElse(0L);
            if (kv.commit(List.of(new EtcdKv.Guard(key, guard)), List.of(new EtcdKv.Write(key, encode(pins))))) {
                return pin;
            }
        }
        throw new IllegalStateException("the image pins of stack/" + stack + " keep changing; try again");
    }

    /** Forgets the stack's pins (the stack is deleted). */
    public void delete(String stack) {
        kv.delete(keys.imagePins(stack));
    }

    public Map<String, ImagePin> decode(String value) {
        try {
            Map<String, ImagePin> pins = json.readValue(value, PINS);
            return pins == null ? Map.of() : pins;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Map.of();
        }
    }

    private String encode(Map<String, ImagePin> pins) {
        try {
            return json.writeValueAsString(pins);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write image pins", e);
        }
    }
}
