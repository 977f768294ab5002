package dev.berth.operator.events;

import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Events as the command line reads them: one object's or all, oldest first, and a watch for new ones. */
public final class EventReader {
    /**
     * By when they last happened (as instants: ISO text of different precision does not sort as text); equal times
     * by key (ids sort by time and sequence).
     */
    public static final Comparator<Listed> ORDER = Comparator.comparing((Listed l) -> instant(l.event().lastTimestamp()))
            .thenComparing(Listed::key);

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final EventCodec codec = new EventCodec();

    /** An event with its key. */
    public record Listed(String key, Event event) {
    }

    /** What a listing found and the store revision to watch from (revision + 1). */
    public record Listing(List<Listed> events, long revision) {
    }

    private static java.time.Instant instant(String text) {
        try {
            return java.time.Instant.parse(text);
        } catch (RuntimeException e) {
            return java.time.Instant.EPOCH;
        }
    }

    public EventReader(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    /** The prefix of one object's events, or of all when {@code kind} is null. */
    public String prefix(String kind, String name) {
        return kind == null ? keys.eventsPrefix() : keys.eventsOf(kind, name);
    }

    public Listing list(String kind, String name) {
        EtcdKv.Listing listing = kv.list(prefix(kind, name));
        List<Listed> events = new ArrayList<>();
        for (StoredValue value : listing.values()) {
            codec.read(value.value()).ifPresent(e -> events.add(new Listed(value.key(), e)));
        }
        events.sort(ORDER);
        return new Listing(events, listing.revision());
    }

    /**
     * Every event put under the prefix after {@code revision} (new ones and counted-up repeats; expiries are not
     * events), in the order etcd has them. Close the watcher to stop; {@code onError} hears once why it ended.
     */
    public Watch.Watcher watch(String kind, String name, long revision, Consumer<Listed> onEvent,
                               Consumer<Throwable> onError) {
        return kv.watchPrefix(prefix(kind, name), revision + 1, new Watch.Listener() {
            @Override
            public void onNext(io.etcd.jetcd.watch.WatchResponse response) {
                for (WatchEvent e : response.getEvents()) {
                    if (e.getEventType() != WatchEvent.EventType.PUT) {
                        continue;
                    }
                    String key = e.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
                    Optional<Event> event = codec.read(e.getKeyValue().getValue().toString(StandardCharsets.UTF_8));
                    event.ifPresent(ev -> onEvent.accept(new Listed(key, ev)));
                }
            }

            @Override
            public void onError(Throwable throwable) {
                onError.accept(throwable);
            }

            @Override
            public void onCompleted() {
                onError.accept(new IllegalStateException("watch ended"));
            }
        });
    }
}
