package dev.berth.operator.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.overlay.Reachability;
import dev.berth.operator.overlay.ReachabilityView;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.GroupCommit;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's hosts as the scheduler sees them: live records (on their operators' leases), member records (every
 * host seen, kept without a lease by the leader), cordons, and which hosts without a record still answer through the
 * overlay (Unknown: probe reports). {@link #record} writes a member's transition (up or down) when the leader sees
 * one; everything else only reads the informers.
 */
public final class HostBook {
    private static final Logger log = LoggerFactory.getLogger(HostBook.class);

    /**
     * How the scheduler treats a host now. Without a live record a host is UNKNOWN while the overlay still reaches it
     * (its operator died, its containers may serve) and UNREACHABLE otherwise, each until its failover time has passed
     * since the record went; then DOWN.
     */
    public enum State { READY, CORDONED, DRAINING, UNKNOWN, UNREACHABLE, DOWN }

    /**
     * Pure: how long a host without a record keeps its replicas. An Unknown host waits {@code afterUnknown} (its
     * containers still answer: moving them would run each twice for nothing); one not reached waits {@code afterDown}.
     * Both count from {@code downSince}, so a host that turns from Unknown to not reached fails over as soon as
     * {@code afterDown} has passed since its record went.
     */
    public record FailoverClock(Duration afterDown, Duration afterUnknown) {
        /** The state of a host without a live record, its record gone for {@code downFor}. */
        public State state(boolean unknown, Duration downFor) {
            if (downFor.compareTo(wait(unknown)) >= 0) {
                return State.DOWN;
            }
            return unknown ? State.UNKNOWN : State.UNREACHABLE;
        }

        /** How long until such a host counts as down, zero when it does. */
        public Duration untilDown(boolean unknown, Duration downFor) {
            Duration left = wait(unknown).minus(downFor);
            return left.isNegative() ? Duration.ZERO : left;
        }

        private Duration wait(boolean unknown) {
            // A longer wait for Unknown never shortens one: afterUnknown below afterDown would move an answering host first.
            return unknown && afterUnknown.compareTo(afterDown) > 0 ? afterUnknown : afterDown;
        }
    }

    private final EtcdInformer<HostRecord> hosts;
    private final EtcdInformer<StoredValue> members;
    private final EtcdInformer<StoredValue> cordons;
    private final GroupCommit writes;
    private final KeyLayout keys;
    private final FailoverClock failover;
    private final ReachabilityView reachability;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Map<String, Decoded<MemberRecord>> memberCache = new ConcurrentHashMap<>();
    private final Map<String, Decoded<CordonRecord>> cordonCache = new ConcurrentHashMap<>();

    private record Decoded<T>(long revision, Optional<T> value) {
    }

    /**
     * @param failover     how long a host's record must be gone before its replicas are placed elsewhere: when nothing
     *                     reaches it, and when the overlay still does (Unknown)
     * @param reachability which hosts without a record are Unknown
     */
    public HostBook(EtcdInformer<HostRecord> hosts, EtcdInformer<StoredValue> members, EtcdInformer<StoredValue> cordons,
                    GroupCommit writes, KeyLayout keys, FailoverClock failover, ReachabilityView reachability) {
        this.hosts = hosts;
        this.members = members;
        this.cordons = cordons;
        this.writes = writes;
        this.keys = keys;
        this.failover = failover;
        this.reachability = reachability;
    }

    /** Probe reports too: before they are listed an Unknown host would count as not reached and fail over early. */
    public boolean synced() {
        return hosts.synced() && members.synced() && cordons.synced() && reachability.synced();
    }

    /** The reachability of hosts at this moment: one per plan, so every host is judged from the same reports. */
    public Reachability reachability() {
        return reachability.now();
    }

    /** Live hosts and members: every host the cluster knows. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(hosts.names());
        names.addAll(members.names());
        return names;
    }

    /** A host with a live record or a member record: one an assignment may name. */
    public boolean known(String host) {
        return hosts.get(host).isPresent() || members.get(host).isPresent();
    }

    public Optional<HostRecord> live(String host) {
        return hosts.get(host);
    }

    public Optional<MemberRecord> member(String host) {
        return members.get(host).flatMap(v -> decoded(memberCache, v, MemberRecord.class));
    }

    public Optional<CordonRecord> cordon(String host) {
        return cordons.get(host).map(v -> decoded(cordonCache, v, CordonRecord.class)
                // A cordon that does not decode still cordons: someone meant to take the host out.
                .orElse(new CordonRecord(host, false, null)));
    }

    /** Decoded once per revision: every plan reads every host's records. */
    private <T> Optional<T> decoded(Map<String, Decoded<T>> cache, StoredValue value, Class<T> type) {
        Decoded<T> known = cache.get(value.key());
        if (known != null && known.revision() == value.modRevision()) {
            return known.value();
        }
        Optional<T> read = read(value.value(), type);
        cache.put(value.key(), new Decoded<>(value.modRevision(), read));
        return read;
    }

    /**
     * The host's state at {@code now}: a live host is Ready, Cordoned or Draining; a host whose record is gone is
     * Unknown (the overlay reaches it) or Unreachable until its failover time has passed since the leader saw it go (a
     * member without a down time, not yet recorded, counts from now), then Down.
     */
    public State state(String host, Instant now, Reachability reach) {
        if (hosts.get(host).isPresent()) {
            return cordon(host).map(c -> c.drain() ? State.DRAINING : State.CORDONED).orElse(State.READY);
        }
        return failover.state(reach.unknown(host), downFor(host, now));
    }

    /**
     * How long until an unknown or unreachable host counts as down (zero when it already does or is live). For an
     * Unknown host no longer than until the reports' next change: its probes may be failing, its grace running out.
     */
    public Duration untilDown(String host, Instant now, Reachability reach) {
        if (hosts.get(host).isPresent()) {
            return Duration.ZERO;
        }
        boolean unknown = reach.unknown(host);
        Duration left = failover.untilDown(unknown, downFor(host, now));
        if (unknown && !left.isZero()) {
            Optional<Duration> change = reach.untilNextChange();
            if (change.isPresent() && change.get().compareTo(left) < 0) {
                return change.get();
            }
        }
        return left;
    }

    private Duration downFor(String host, Instant now) {
        return member(host).map(MemberRecord::downSince).map(HostBook::instant)
                .map(since -> Duration.between(since, now)).filter(d -> !d.isNegative()).orElse(Duration.ZERO);
    }

    /**
     * Records a transition of {@code host} in its member record, only when there is one: a live host not recorded as
     * up, or a recorded host whose live record is gone. Leader only: the write holds only while {@code leader} does.
     */
    public void record(String host, Instant now, EtcdKv.Guard leader) {
        Optional<HostRecord> live = hosts.get(host);
        Optional<MemberRecord> member = member(host);
        if (live.isPresent() && (member.isEmpty() || member.get().down()
                || !member.get().labels().equals(live.get().labels()))) {
            write(new MemberRecord(host, now.toString(), null, live.get().labels()), leader);
            log.info("host/{}: up", host);
        } else if (live.isEmpty() && member.isPresent() && !member.get().down()) {
            write(new MemberRecord(host, now.toString(), now.toString(), member.get().labels()), leader);
            boolean unknown = reachability.synced() && reachability.now().unknown(host);
            log.warn("host/{}: its record is gone (lease expired or operator stopped){}; failover in {}s unless it returns",
                    host, unknown ? ", the overlay still reaches it (Unknown)" : "",
                    failover.untilDown(unknown, Duration.ZERO).toSeconds());
        }
    }

    private void write(MemberRecord record, EtcdKv.Guard leader) {
        try {
            writes.commit(List.of(leader), List.of(),
                    List.of(new EtcdKv.Write(keys.member(record.host()), json.writeValueAsString(record))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> Optional<T> read(String value, Class<T> type) {
        try {
            return Optional.ofNullable(json.readValue(value, type));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
