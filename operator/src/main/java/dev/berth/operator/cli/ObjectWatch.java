package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code get -w}: watches a kind's desired objects and their status in etcd from a revision and prints the object
 * again on every change, until the thread is interrupted (Ctrl-C ends the process). Level-triggered like the
 * operator: an event only names the object, which is then read whole; a deleted object is printed as last seen.
 */
final class ObjectWatch {
    /** What the watch threads hand to the printing thread: an object's name, or the watch's failure. */
    private record Change(String name, Throwable error) {
    }

    private final StoreSession session;
    private final KindDef kind;
    private final String onlyName;
    private final LabelSelector selector;
    private final ObjectPrinter printer;
    private final StatusCodec codec = new StatusCodec();
    private final Map<String, ObjectView> lastSeen = new HashMap<>();
    private final Map<String, String> lastPrinted = new HashMap<>();

    ObjectWatch(StoreSession session, KindDef kind, String onlyName, LabelSelector selector, ObjectPrinter printer) {
        this.session = session;
        this.kind = kind;
        this.onlyName = onlyName;
        this.selector = selector;
        this.printer = printer;
    }

    /** The revision to watch from so that nothing after a listing read now is missed. */
    long nextRevision() {
        return session.kv().list(session.store().keys().kindPrefix(kind.singular())).revision() + 1;
    }

    /** Remembers what the first listing showed, so that a deletion can print the object as it was. */
    void seen(ObjectView view) {
        lastSeen.put(view.object().name(), view);
    }

    /** Prints changes until interrupted; returns normally then. */
    void run(long fromRevision) {
        BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        KeyLayout keys = session.store().keys();
        String desired = keys.kindPrefix(kind.singular());
        String status = keys.statusRoot() + kind.singular() + "/";
        try (Watch.Watcher objects = session.kv().watchPrefix(desired, fromRevision, listener(changes, key ->
                keys.parseDesired(key).filter(k -> k.kind().equals(kind.singular())).map(k -> k.name())));
             Watch.Watcher statuses = session.kv().watchPrefix(status, fromRevision, listener(changes, key -> {
                 String rest = key.substring(status.length());
                 int slash = rest.indexOf('/');
                 return slash > 0 ? Optional.of(rest.substring(0, slash)) : Optional.empty();
             }))) {
            while (!Thread.currentThread().isInterrupted()) {
                Change change = changes.take();
                if (change.error() != null) {
                    throw new CliException("watching " + kind.plural() + " failed: " + change.error().getMessage());
                }
                try {
                    show(change.name());
                } catch (dev.berth.operator.store.StoreException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return; // interrupted mid-read: the person stopped the watch, not an etcd failure
                    }
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void show(String name) {
        if (onlyName != null && !onlyName.equals(name)) {
            return;
        }
        Optional<StoredObject> object = session.store().get(kind, name);
        ObjectView view;
        if (object.isPresent()) {
            view = ObjectView.load(session.store(), object.get(), codec, ClusterReader.read(session));
            lastSeen.put(name, view);
        } else {
            view = lastSeen.remove(name);
            if (view == null) {
                return;
            }
        }
        if (!selector.matches(view.labels())) {
            return;
        }
        // A status write that changes nothing shown (e.g. another host's identical row) prints nothing.
        String key = view.object().raw().modRevision() + ":" + view.statuses() + ":" + object.isPresent();
        if (Objects.equals(lastPrinted.put(name, key), key)) {
            return;
        }
        printer.printChange(kind, view);
    }

    private static Watch.Listener listener(BlockingQueue<Change> changes,
                                           java.util.function.Function<String, Optional<String>> nameOf) {
        return Watch.listener(response -> {
            for (WatchEvent event : response.getEvents()) {
                nameOf.apply(event.getKeyValue().getKey().toString(StandardCharsets.UTF_8))
                        .ifPresent(name -> changes.add(new Change(name, null)));
            }
        }, error -> changes.add(new Change(null, error)));
    }
}
