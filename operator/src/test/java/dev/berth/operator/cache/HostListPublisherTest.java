package dev.berth.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.route.BackendLister;
import dev.berth.reconcilers.route.PublishedContainer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The route backends' publisher over a store that behaves as etcd's directory does (an empty list deletes the key):
 * a stack's list is written when one of its containers runs, not before, and withdrawn once when none runs any more,
 * not again on later passes or after a resync reads the store back.
 */
class HostListPublisherTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** This host's stored lists, and every write and delete made to them. */
    private static final class Directory implements HostListPublisher.Store<PublishedContainer> {
        final Map<String, List<PublishedContainer>> stored = new ConcurrentHashMap<>();
        final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public Map<String, List<PublishedContainer>> published() {
            return Map.copyOf(stored);
        }

        @Override
        public void publish(String group, List<PublishedContainer> list) {
            writes.add("put " + group + " " + list.stream().map(PublishedContainer::container).toList());
            stored.put(group, list);
        }

        @Override
        public void withdraw(String group) {
            writes.add("delete " + group);
            stored.remove(group);
        }
    }

    private static ListedContainer container(String state) {
        return new ListedContainer(new ObservedContainer("id-s-web-1", "s-web-1", Map.of(BerthLabels.MANAGED_BY, "berth",
                BerthLabels.OWNER, "stack/s", BerthLabels.SERVICE, "web"), state, null), Map.of(), List.of());
    }

    @Test
    void aStackIsWrittenWhenItRunsAndWithdrawnOnceWhenItStops() {
        Directory directory = new Directory();
        AtomicInteger passes = new AtomicInteger();
        try (HostListPublisher<PublishedContainer> publisher = new HostListPublisher<>("route-backends", directory,
                listed -> {
                    passes.incrementAndGet();
                    return BackendLister.byStack(listed, "berth", "192.0.2.1");
                })) {
            pass(publisher, passes, () -> publisher.listed(List.of(container("created"))));
            assertEquals(List.of(), directory.writes, "nothing runs yet");
            pass(publisher, passes, () -> publisher.listed(List.of(container("running"))));
            pass(publisher, passes, () -> publisher.listed(List.of(container("running"))));
            assertEquals(List.of("put s [s-web-1]"), directory.writes, "written once it runs, and not again unchanged");
            pass(publisher, passes, () -> publisher.listed(List.of(container("exited"))));
            pass(publisher, passes, () -> publisher.listed(List.of(container("exited"))));
            pass(publisher, passes, publisher::resync);
            assertEquals(List.of("put s [s-web-1]", "delete s"), directory.writes,
                    "withdrawn once, not on the next pass nor after the store is read again");
        }
    }

    /** Does {@code change} and waits for the publisher's next pass to end. */
    private static void pass(HostListPublisher<PublishedContainer> publisher, AtomicInteger passes, Runnable change) {
        int before = passes.get();
        change.run();
        Await.until(WAIT, "a publishing pass", () -> passes.get() > before);
        // The pass counts itself when it computes; its writes follow on the same thread: a no-op pass after it
        // (recheck) has finished only once they are done.
        int counted = passes.get();
        publisher.recheck();
        Await.until(WAIT, "the pass after it", () -> passes.get() > counted);
    }
}
