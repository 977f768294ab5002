package dev.berth.operator.cache;

import dev.berth.operator.store.StoredValue;
import java.util.Optional;

/**
 * The keys under a prefix as they are, named by what follows the prefix: for prefixes whose values the handlers
 * read themselves (endpoint and backend lists, webhook triggers). Keeping the mod revision means a re-list tells
 * the handlers only of keys that changed.
 */
public final class RawValues implements EtcdInformer.Codec<StoredValue> {
    private final String prefix;

    public RawValues(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Optional<String> name(String key) {
        return key.startsWith(prefix) && key.length() > prefix.length()
                ? Optional.of(key.substring(prefix.length())) : Optional.empty();
    }

    @Override
    public StoredValue decode(String name, StoredValue value) {
        return value;
    }

    @Override
    public long revision(StoredValue value) {
        return value.modRevision();
    }
}
