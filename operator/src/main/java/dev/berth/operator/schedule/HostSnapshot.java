package dev.berth.operator.schedule;

import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.Reachability;
import dev.berth.reconcilers.schedule.Candidate;
import dev.berth.reconcilers.schedule.Capacity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hosts as one plan sees them, at one instant: a {@link Candidate} per known host (live ones with their capacity
 * minus other stacks' reservations; unreachable ones within {@code --failover-after}, and Unknown ones within
 * {@code --failover-after-unknown}, keep what they have and get nothing new; down ones keep only
 * {@code failover: false} replicas), and when the next host may turn down.
 *
 * @param recheck time until an unreachable or Unknown host may count as down: plan again then
 */
record HostSnapshot(List<Candidate> candidates, Set<String> live, Set<String> draining, Set<String> down,
                    Optional<Duration> recheck) {
    static HostSnapshot of(HostBook hosts, Instant now, Map<String, ReservedElsewhere.Reserved> reserved) {
        List<Candidate> candidates = new ArrayList<>();
        Set<String> live = new HashSet<>();
        Set<String> draining = new HashSet<>();
        Set<String> down = new HashSet<>();
        Duration recheck = null;
        Reachability reach = hosts.reachability();
        for (String host : hosts.names()) {
            HostBook.State state = hosts.state(host, now, reach);
            Optional<HostRecord> record = hosts.live(host);
            Map<String, String> lastLabels = hosts.member(host).map(MemberRecord::labels).orElse(Map.of());
            if (state == HostBook.State.DOWN) {
                candidates.add(new Candidate(host, lastLabels, true, null, true));
                down.add(host);
            } else if (state == HostBook.State.UNREACHABLE || state == HostBook.State.UNKNOWN || record.isEmpty()) {
                // Within --failover-after, or --failover-after-unknown while the overlay still reaches it (or gone
                // since its state was read): a lease TTL alone moves nothing.
                candidates.add(new Candidate(host, lastLabels, true, null));
                Duration left = hosts.untilDown(host, now, reach);
                recheck = recheck == null || left.compareTo(recheck) < 0 ? left : recheck;
            } else {
                candidates.add(new Candidate(host, record.get().labels(), state != HostBook.State.READY,
                        capacity(record.get(), reserved.getOrDefault(host, ReservedElsewhere.Reserved.NONE))));
                live.add(host);
                if (state == HostBook.State.DRAINING) {
                    draining.add(host);
                }
            }
        }
        return new HostSnapshot(candidates, live, draining, down, Optional.ofNullable(recheck));
    }

    private static Capacity capacity(HostRecord record, ReservedElsewhere.Reserved used) {
        if (record.cpuMillis() == null || record.memoryBytes() == null) {
            return null;
        }
        return new Capacity(Math.max(0, record.cpuMillis() - used.cpuMillis()),
                Math.max(0, record.memoryBytes() - used.memoryBytes()));
    }
}
