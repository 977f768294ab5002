package dev.berth.operator.overlay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Pure: turns each round of probes of one Network into the report to store, and says whether it must be written. A
 * report is written when a peer came, went or changed state, when the MTUs changed, and for a new round trip at most
 * once per {@link #RTT_REFRESH}: every write wakes every watcher of the probes, so RTT jitter alone must not cause one.
 * A peer's {@code since} is when it entered its state; it survives a restart through {@link #seed}.
 */
public final class ProbeTracker {
    /** How often at most a report is written only because round trips moved. */
    public static final Duration RTT_REFRESH = Duration.ofMinutes(1);

    /** One peer as this round found it. */
    public record Observation(String state, Long rttMicros, String underlayIp, String gateway) {
    }

    /** The report of this round; {@code changes} are "peer: old -> new" for each peer whose state moved. */
    public record Update(ProbeReport report, boolean publish, List<String> changes) {
    }

    private final Map<String, ProbeReport> published = new HashMap<>();
    private final Map<String, Instant> publishedAt = new HashMap<>();

    /** The report stored before this run (kept only when nothing was published since), so {@code since} carries over. */
    public synchronized void seed(ProbeReport stored) {
        published.putIfAbsent(stored.network(), stored);
    }

    public synchronized Optional<ProbeReport> last(String network) {
        return Optional.ofNullable(published.get(network));
    }

    public synchronized Update next(String host, String network, int mtu, int underlayMtu,
                                    Map<String, Observation> observed, Instant now) {
        ProbeReport previous = published.get(network);
        Instant lastWrite = publishedAt.get(network);
        boolean refreshDue = lastWrite == null || !now.isBefore(lastWrite.plus(RTT_REFRESH));
        Map<String, ProbeReport.PeerProbe> peers = new TreeMap<>();
        List<String> changes = new ArrayList<>();
        boolean changed = previous == null || previous.mtu() != mtu || previous.underlayMtu() != underlayMtu
                || !previous.peers().keySet().equals(observed.keySet());
        boolean rttMoved = false;
        for (Map.Entry<String, Observation> e : new TreeMap<>(observed).entrySet()) {
            Observation o = e.getValue();
            ProbeReport.PeerProbe before = previous == null ? null : previous.peers().get(e.getKey());
            boolean stateChanged = before == null || !o.state().equals(before.state());
            if (stateChanged) {
                changes.add(e.getKey() + ": " + (before == null ? "new" : before.state()) + " -> " + o.state());
                changed = true;
            } else if (!Objects.equals(o.underlayIp(), before.underlayIp()) || !Objects.equals(o.gateway(), before.gateway())) {
                changed = true;
            }
            Long rtt = o.rttMicros();
            if (!stateChanged && !Objects.equals(rtt, before.rttMicros())) {
                rttMoved = true;
            }
            peers.put(e.getKey(), new ProbeReport.PeerProbe(o.state(), rtt,
                    stateChanged ? now.toString() : before.since(), o.underlayIp(), o.gateway()));
        }
        for (String gone : previous == null ? List.<String>of() : previous.peers().keySet()) {
            if (!observed.containsKey(gone)) {
                changes.add(gone + ": " + previous.peers().get(gone).state() + " -> gone");
            }
        }
        boolean publish = changed || (rttMoved && refreshDue);
        if (!publish) {
            // Unchanged: the stored report stands, round trips included, until the next write.
            return new Update(previous, false, changes);
        }
        return new Update(new ProbeReport(host, network, mtu, underlayMtu, now.toString(), peers), true, changes);
    }

    /** The report was stored: later rounds compare against it. */
    public synchronized void published(ProbeReport report, Instant now) {
        published.put(report.network(), report);
        publishedAt.put(report.network(), now);
    }

    public synchronized void forget(String network) {
        published.remove(network);
        publishedAt.remove(network);
    }
}
