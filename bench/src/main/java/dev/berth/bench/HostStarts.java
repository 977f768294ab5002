package dev.berth.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.berth.reconcilers.docker.DockerClients;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Container start events on several hosts at once: when the {@code count}th distinct container whose name passes
 * {@code which} started, by the daemons' own event times (one machine, one clock, for Berth and Swarm alike). The
 * streams ask for events since their creation: a busy daemon may register a subscription only after the first starts
 * it should have seen, and replays them then.
 */
final class HostStarts implements AutoCloseable {
    private final List<ResultCallback.Adapter<Event>> streams = new ArrayList<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Predicate<String> which;
    private final long since;
    private long last;

    HostStarts(List<NsDockerd> hosts, Predicate<String> which) throws InterruptedException {
        this.which = which;
        this.since = BenchSupport.epochNanos();
        String sinceArg = String.format(java.util.Locale.ROOT, "%d.%09d", since / 1_000_000_000L, since % 1_000_000_000L);
        for (NsDockerd h : hosts) {
            DockerClient events = DockerClients.connectForEvents("unix://" + h.sock);
            ResultCallback.Adapter<Event> cb = events.eventsCmd().withEventTypeFilter(EventType.CONTAINER)
                    .withEventFilter("start").withSince(sinceArg).exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(Event e) {
                            Map<String, String> a = e.getActor() == null || e.getActor().getAttributes() == null
                                    ? Map.of() : e.getActor().getAttributes();
                            seen(a.getOrDefault("name", ""), e.getTimeNano() == null ? 0 : e.getTimeNano());
                        }

                        @Override
                        public void close() throws IOException {
                            super.close();
                            events.close();
                        }
                    });
            cb.awaitStarted(10, TimeUnit.SECONDS);
            streams.add(cb);
        }
    }

    private synchronized void seen(String name, long nanos) {
        if (nanos >= since && which.test(name) && seen.add(name)) {
            last = Math.max(last, nanos);
        }
    }

    private synchronized long last() {
        return last;
    }

    /** The time ({@link BenchSupport#epochNanos}) of the {@code count}th start; AssertionError after {@code timeout}. */
    long await(int count, Duration timeout) {
        BenchSupport.await(timeout, count + " containers started", () -> seen.size() >= count, 20);
        return last();
    }

    int count() {
        return seen.size();
    }

    @Override
    public void close() {
        for (ResultCallback.Adapter<Event> s : streams) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
