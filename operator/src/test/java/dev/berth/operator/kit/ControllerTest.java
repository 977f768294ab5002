package dev.berth.operator.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.ObjectKey;
import dev.berth.operator.Await;
import dev.berth.operator.queue.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The kit's controller with a hand-driven election (pure code: no etcd needed to decide who runs). */
class ControllerTest {
    private static final RetryPolicy RETRY = new RetryPolicy(Duration.ofMillis(50), 2.0, 0.0, Duration.ofSeconds(1));
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An election the test wins and loses by hand. */
    private static final class HandElection implements Controller.Election {
        private volatile Consumer<Boolean> listener;
        private volatile boolean leader;

        @Override
        public void start(Consumer<Boolean> listener) {
            this.listener = listener;
        }

        void set(boolean leading) {
            leader = leading;
            listener.accept(leading);
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aLeaderOnlyControllerReconcilesNothingUntilElectedAndStopsWhenItLoses() throws Exception {
        Topic<String> objects = new Topic<>("objects");
        Set<String> all = ConcurrentHashMap.newKeySet();
        List<String> seen = new CopyOnWriteArrayList<>();
        HandElection election = new HandElection();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Controller c = ControllerBuilder.named("t").forObjects(objects).allKeys(() -> Set.copyOf(all))
                .reconciler((key, deadline) -> {
                    seen.add(key);
                    return ReconcileResult.done();
                }).leaderOnly(election).workers(2).build(RETRY, registry);
        c.start();
        all.add("a");
        objects.publish("a");
        assertFalse(c.leading());
        assertEquals(0.0, registry.get("berth.controller.workers").gauge().value(), "no workers while following");

        election.set(true);
        Await.until(WAIT, "every key looked at once elected", () -> seen.contains("a"), seen::toString);
        assertEquals(List.of("a"), seen, "an event while following was dropped, the election's list brought it back");
        assertEquals(2.0, registry.get("berth.controller.workers").gauge().value());

        election.set(false);
        assertEquals(0.0, registry.get("berth.controller.workers").gauge().value());
        objects.publish("b");
        election.set(true);
        Await.until(WAIT, "a new term looks at every key again", () -> seen.size() == 2, seen::toString);
        assertEquals(List.of("a", "a"), seen, "b, published while not leading, was never queued");
        c.stop(Duration.ofSeconds(5));
    }

    @Test
    void ownsMapsOwnerKeysOfItsKindOnlyAndFailuresComeBackWithBackoff() throws Exception {
        Topic<ObjectKey> owners = new Topic<>("owners");
        List<String> seen = new CopyOnWriteArrayList<>();
        Controller c = ControllerBuilder.named("t").owns(owners, ObjectKey.STACK)
                .reconciler((key, deadline) -> {
                    seen.add(key);
                    return seen.size() < 3 ? ReconcileResult.failed("not yet") : ReconcileResult.done();
                }).build(RETRY, new SimpleMeterRegistry());
        c.start();
        owners.publish(ObjectKey.network("n"));
        owners.publish(ObjectKey.stack("web"));
        Await.until(WAIT, "retried until it succeeds", () -> seen.size() == 3, seen::toString);
        assertEquals(List.of("web", "web", "web"), seen, "a network's owner key is not a stack's");
        c.stop(Duration.ofSeconds(5));
    }

    @Test
    void everyReconcileGetsADeadlineAndOverrunsAreCounted() throws Exception {
        Topic<String> objects = new Topic<>("objects");
        List<Duration> budgets = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Controller c = ControllerBuilder.named("t").forObjects(objects).deadline(Duration.ofMillis(200))
                .reconciler((key, deadline) -> {
                    budgets.add(deadline.remaining());
                    if (key.equals("slow")) {
                        // A pass that ignores its deadline: the controller must notice.
                        Await.until(WAIT, "the deadline passed", deadline::expired);
                    }
                    return ReconcileResult.done();
                }).build(RETRY, registry);
        c.start();
        objects.publish("quick");
        objects.publish("slow");
        Await.until(WAIT, "the slow pass counted past its deadline",
                () -> registry.get("berth.reconcile.deadline.exceeded").counter().count() == 1.0);
        assertTrue(budgets.stream().allMatch(b -> b.compareTo(Duration.ofMillis(200)) <= 0 && !b.isZero()),
                "each pass got the declared budget: " + budgets);
        c.stop(Duration.ofSeconds(5));
    }
}
