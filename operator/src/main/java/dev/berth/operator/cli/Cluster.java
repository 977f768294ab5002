package dev.berth.operator.cli;

import dev.berth.operator.control.HostRecord;
import dev.berth.operator.schedule.CordonRecord;
import dev.berth.operator.schedule.MemberRecord;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the command line knows about the cluster's hosts, read once per command: the live host records (on their
 * operators' leases), the scheduler leader's member records (hosts seen, live or down), cordons, every stack's
 * assignment, and the hosts without a record that the overlay still reaches ({@code unknown}, from the probe reports).
 * Pure: {@link ClusterReader} fills it from etcd, tests build it by hand.
 */
record Cluster(Map<String, HostRecord> live, Map<String, MemberRecord> members, Map<String, CordonRecord> cordons,
               Map<String, StackAssignment> assignments, Set<String> unknown) {
    Cluster {
        live = Map.copyOf(live);
        members = Map.copyOf(members);
        cordons = Map.copyOf(cordons);
        assignments = Map.copyOf(assignments);
        unknown = Set.copyOf(unknown);
    }

    Cluster(Map<String, HostRecord> live, Map<String, MemberRecord> members, Map<String, CordonRecord> cordons,
            Map<String, StackAssignment> assignments) {
        this(live, members, cordons, assignments, Set.of());
    }

    static Cluster empty() {
        return new Cluster(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** No live record, but a live host's probes still reach it through the overlay: its operator died, not its host. */
    boolean unknown(String host) {
        return !alive(host) && unknown.contains(host);
    }

    /** A host is alive while its record is in etcd: the record lives on its operator's lease. */
    boolean alive(String host) {
        return live.containsKey(host);
    }

    /** Every host with a live record or a member record, by name. */
    TreeSet<String> known() {
        TreeSet<String> all = new TreeSet<>(live.keySet());
        all.addAll(members.keySet());
        return all;
    }

    Optional<StackAssignment> assignment(String stack) {
        return Optional.ofNullable(assignments.get(stack));
    }

    /**
     * Why a host that reported something is not trusted now, for a STATE or MESSAGE cell: "host down 2m, last seen
     * 12:01:03Z" from its member record, or "no live host record" when the scheduler never recorded it.
     */
    String absence(String host, Instant now) {
        MemberRecord member = members.get(host);
        if (member == null) {
            return "host " + host + " has no live record";
        }
        String seen = "last seen " + Ages.clock(member.lastSeen(), now);
        if (unknown(host)) {
            return "host " + host + " unknown (no record" + (member.downSince() == null ? ""
                    : " for " + Ages.since(member.downSince(), now)) + ", the overlay still reaches it), " + seen;
        }
        return member.downSince() == null ? "host " + host + " not alive, " + seen
                : "host " + host + " down " + Ages.since(member.downSince(), now) + ", " + seen;
    }

    /**
     * The state {@code berth get hosts} shows: Ready, Cordoned, Draining, Drained, Unknown (no record, the overlay
     * still reaches it), Down (plus ",Cordoned" ...).
     */
    String state(String host) {
        CordonRecord cordon = cordons.get(host);
        String cordonState = cordon == null ? "" : !cordon.drain() ? "Cordoned" : replicasOn(host).isEmpty() ? "Drained" : "Draining";
        if (!alive(host)) {
            String gone = unknown(host) ? "Unknown" : "Down";
            return cordonState.isEmpty() ? gone : gone + "," + cordonState;
        }
        return cordonState.isEmpty() ? "Ready" : cordonState;
    }

    /**
     * The replicas the scheduler still places on a host, as "stack/service-replica" in name order: assigned to it, or
     * moving away from it (a handover's old host keeps its container until the new one runs). What a drain waits for.
     */
    List<String> replicasOn(String host) {
        TreeSet<String> names = new TreeSet<>();
        for (StackAssignment a : new TreeMap<>(assignments).values()) {
            for (Assignment one : a.assignments()) {
                if (one.host().equals(host)) {
                    names.add(a.stack() + "/" + one.service() + "-" + one.replica());
                }
            }
            for (Handover h : a.handovers()) {
                if (h.from().equals(host)) {
                    names.add(a.stack() + "/" + h.service() + "-" + h.replica());
                }
            }
        }
        return new ArrayList<>(names);
    }
}
