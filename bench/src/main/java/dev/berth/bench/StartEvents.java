package dev.berth.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Container start events of one label, with the time each arrived here. */
final class StartEvents implements AutoCloseable {
    /** One start event: the container's owner label and name, and when it arrived here. */
    record Ev(String owner, String name, long nanos) {
    }

    final BlockingQueue<Ev> seen = new LinkedBlockingQueue<>();
    final List<Ev> backlog = new ArrayList<>();
    final ResultCallback.Adapter<Event> callback;

    StartEvents(DockerClient events, String label, String value) throws InterruptedException {
        callback = events.eventsCmd().withEventTypeFilter(EventType.CONTAINER).withEventFilter("start")
                .withLabelFilter(Map.of(label, value)).exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Event e) {
                        long now = System.nanoTime();
                        Map<String, String> a = e.getActor() == null || e.getActor().getAttributes() == null
                                ? Map.of() : e.getActor().getAttributes();
                        seen.add(new Ev(a.get(BerthLabels.OWNER), a.get("name"), now));
                    }
                });
        callback.awaitStarted(10, TimeUnit.SECONDS);
    }

    Ev await(Predicate<Ev> which, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Ev e : backlog) {
            if (which.test(e)) {
                backlog.remove(e);
                return e;
            }
        }
        while (true) {
            long left = deadline - System.nanoTime();
            Ev e = seen.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no matching start event within " + timeout);
            }
            if (which.test(e)) {
                return e;
            }
            backlog.add(e);
        }
    }

    @Override
    public void close() throws IOException {
        callback.close();
    }
}
