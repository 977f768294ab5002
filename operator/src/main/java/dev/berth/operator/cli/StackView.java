package dev.berth.operator.cli;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Handover;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.reconcilers.schedule.Unschedulable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One stack as the cluster sees it: the status rows every host wrote, the scheduler's assignment and which hosts are
 * alive, merged into one summary (READY running/desired, STATUS, MESSAGE) and one row per replica like
 * {@code docker service ps}. Pure, so every rule below is unit-tested.
 *
 * <p>READY counts containers: desired is the spec's {@code replicas} for a replicated service (containers in the
 * cluster) and, for a global one, the sum of what the live hosts report they should run (only a host knows whether
 * its labels select it). Running is the sum of the live hosts' running containers. Rows from hosts that are not alive
 * count for nothing: their containers may still serve, but nobody can tell, so they are Unknown.
 *
 * <p>STATUS, first that applies: Invalid; Pending (Scheduling: a replicated service and no assignment yet;
 * Unschedulable: replicas no host could take); Degraded (a live host says so, or failover:false replicas are
 * Unavailable on a down host); Unknown (replicas assigned to, or reported only by, hosts that are not alive);
 * Pending (nobody has reported yet; Scheduling if the assignment does not cover a service yet); Progressing (a live
 * host has not caught up with the stack's revision, a handover runs, a service waits for the scheduler as above, or a
 * host reports Progressing while fewer run than desired); Ready; NotReady. The assignment's
 * {@code stackRevision} is not compared: the scheduler need not rewrite an unchanged decision for a new revision.
 */
final class StackView {
    private static final String SCHEDULING_OF = "Scheduling: waiting for the scheduler to place the replicas of ";
    /**
     * What the view needs of a service: its name, replicas, whether it is global, failover, and the Docker name it
     * keeps (null: {@code <stack>-<service>-<n>}).
     */
    record Service(String name, int replicas, boolean global, boolean failover, String containerName) {
        Service(String name, int replicas, boolean global, boolean failover) {
            this(name, replicas, global, failover, null);
        }

        static List<Service> of(StackSpec spec) {
            List<Service> all = new ArrayList<>();
            for (ServiceSpec s : spec.services()) {
                all.add(new Service(s.name(), s.replicas(), s.effectivePlacement(spec.placement()).global(), s.failover(),
                        s.containerName()));
            }
            return all;
        }
    }

    /** The summary row: READY, STATUS, MESSAGE, the hosts involved (not alive ones marked), and the age of the state. */
    record Summary(String ready, String status, String message, String hosts, String age) {
    }

    /**
     * One replica, like a line of {@code docker service ps}; {@code reported} is the host's own row of it (its
     * container's details), null for what is assigned or pending but not reported.
     */
    record ReplicaRow(String service, String replica, String host, String state, String reason, ReplicaStatus reported) {
        ReplicaRow(String service, String replica, String host, String state, String reason) {
            this(service, replica, host, state, reason, null);
        }
    }

    private final String name;
    private final long revision;
    private final List<Service> services;
    private final String invalid;
    private final List<ObjectStatus> statuses;
    private final Optional<StackAssignment> assignment;
    private final Cluster cluster;
    private final Instant now;

    /**
     * @param services empty when the stored stack is invalid
     * @param invalid  why the stored stack is invalid, or null
     */
    StackView(String name, long revision, List<Service> services, String invalid, List<ObjectStatus> statuses,
              Optional<StackAssignment> assignment, Cluster cluster, Instant now) {
        this.name = name;
        this.revision = revision;
        this.services = List.copyOf(services);
        this.invalid = invalid;
        this.statuses = statuses.stream().sorted(Comparator.comparing(ObjectStatus::host)).toList();
        this.assignment = assignment;
        this.cluster = cluster;
        this.now = now;
    }

    private boolean replicated() {
        return services.stream().anyMatch(s -> !s.global() && s.replicas() > 0);
    }

    private List<ObjectStatus> live() {
        return statuses.stream().filter(s -> cluster.alive(s.host())).toList();
    }

    String ready() {
        int running = 0;
        int desired = 0;
        List<ObjectStatus> live = live();
        if (services.isEmpty()) {
            for (ObjectStatus s : live) {
                for (ServiceCount c : s.services().values()) {
                    running += c.running() + c.completed();
                    desired += c.desired();
                }
            }
            return running + "/" + desired;
        }
        for (Service service : services) {
            for (ObjectStatus s : live) {
                ServiceCount c = s.services().get(service.name());
                if (c != null) {
                    // A completed one-shot replica is ready as it is (restart "no": it stays exited).
                    running += c.running() + c.completed();
                    desired += service.global() ? c.desired() : 0;
                }
            }
            desired += service.global() ? 0 : service.replicas();
        }
        return running + "/" + desired;
    }

    Summary summary() {
        String[] state = state();
        return new Summary(ready(), state[0], state[1], hosts(), age());
    }

    /** {status, message}. */
    private String[] state() {
        if (invalid != null) {
            return new String[] {"Invalid", invalid};
        }
        if (replicated() && assignment.isEmpty()) {
            return new String[] {"Pending", "Scheduling: waiting for the scheduler to place the replicas"};
        }
        List<Unschedulable> unschedulable = assignment.map(StackAssignment::unschedulable).orElse(List.of());
        if (!unschedulable.isEmpty()) {
            Unschedulable first = unschedulable.get(0);
            return new String[] {"Pending", "Unschedulable: " + container(first.service(), first.replica()) + ": "
                    + first.message() + (unschedulable.size() > 1 ? " (and " + (unschedulable.size() - 1) + " more)" : "")};
        }
        List<ObjectStatus> live = live();
        for (ObjectStatus s : live) {
            Optional<Condition> degraded = s.condition(Condition.DEGRADED).filter(Condition::isTrue);
            if (degraded.isPresent()) {
                return new String[] {"Degraded", s.host() + ": " + degraded.get().reason() + ": " + degraded.get().message()};
            }
        }
        List<Assignment> unavailable = assignment.map(StackAssignment::unavailable).orElse(List.of());
        if (!unavailable.isEmpty()) {
            Assignment first = unavailable.get(0);
            return new String[] {"Degraded", "Unavailable: " + container(first.service(), first.replica())
                    + " (failover: false) stays on " + cluster.absence(first.host(), now)
                    + (unavailable.size() > 1 ? " (and " + (unavailable.size() - 1) + " more)" : "")};
        }
        TreeSet<String> unknownHosts = unknownHosts();
        if (!unknownHosts.isEmpty()) {
            return new String[] {"Unknown", String.join("; ", unknownHosts.stream().map(h -> cluster.absence(h, now)).toList())};
        }
        // A service the assignment does not cover yet (added, or scaled up from 0) waits for the scheduler, and the
        // hosts that run nothing of the stack write no row about it: the assignment is what says so.
        Optional<String> unplaced = unplacedService();
        if (live.isEmpty()) {
            return unplaced.map(s -> new String[] {"Pending", SCHEDULING_OF + s})
                    .orElse(new String[] {"Pending", "no host has reported yet"});
        }
        for (ObjectStatus s : live) {
            if (s.observedRevision() < revision) {
                return new String[] {"Progressing", s.host() + " at revision " + s.observedRevision() + " of " + revision};
            }
        }
        List<Handover> handovers = assignment.map(StackAssignment::handovers).orElse(List.of());
        if (!handovers.isEmpty()) {
            Handover h = handovers.get(0);
            return new String[] {"Progressing", "moving " + container(h.service(), h.replica()) + " from " + h.from()
                    + " to " + h.to() + (handovers.size() > 1 ? " (and " + (handovers.size() - 1) + " more)" : "")};
        }
        if (unplaced.isPresent()) {
            return new String[] {"Progressing", SCHEDULING_OF + unplaced.get()};
        }
        String[] counts = ready().split("/");
        boolean allReady = live.stream().allMatch(ObjectStatus::ready);
        if (allReady && Integer.parseInt(counts[0]) >= Integer.parseInt(counts[1])) {
            return new String[] {"Ready", ""};
        }
        for (ObjectStatus s : live) {
            if (s.condition(Condition.PROGRESSING).map(Condition::isTrue).orElse(false)) {
                return new String[] {"Progressing", s.host() + ": " + s.condition(Condition.PROGRESSING).get().message()};
            }
        }
        for (ObjectStatus s : live) {
            if (!s.ready()) {
                return new String[] {"NotReady", s.host() + ": " + s.condition(Condition.READY).map(Condition::message).orElse("not ready")};
            }
        }
        return new String[] {"NotReady", counts[0] + " of " + counts[1] + " containers running"};
    }

    /** A replicated service with replicas that the (present) assignment does not mention. */
    private Optional<String> unplacedService() {
        return assignment.flatMap(a -> services.stream().filter(s -> !s.global() && s.replicas() > 0)
                .map(Service::name).filter(s -> !DesiredHere.mentions(a, s)).findFirst());
    }

    /**
     * Hosts not alive whose containers count for the stack: assigned replicas on them, or, without assignments (global
     * services), a status row of theirs that wants containers.
     */
    private TreeSet<String> unknownHosts() {
        TreeSet<String> hosts = new TreeSet<>();
        assignment.ifPresent(a -> a.assignments().stream().map(Assignment::host)
                .filter(h -> !cluster.alive(h)).forEach(hosts::add));
        boolean anyGlobal = services.isEmpty() || services.stream().anyMatch(Service::global);
        if (anyGlobal) {
            for (ObjectStatus s : statuses) {
                boolean wants = s.services().entrySet().stream().anyMatch(e -> e.getValue().desired() > 0
                        && services.stream().noneMatch(v -> v.name().equals(e.getKey()) && !v.global()));
                if (!cluster.alive(s.host()) && wants) {
                    hosts.add(s.host());
                }
            }
        }
        return hosts;
    }

    /** Hosts that report or are assigned anything, in name order; hosts not alive marked "(down)". */
    private String hosts() {
        TreeSet<String> hosts = new TreeSet<>();
        statuses.forEach(s -> hosts.add(s.host()));
        assignment.ifPresent(a -> a.assignments().forEach(x -> hosts.add(x.host())));
        if (hosts.isEmpty()) {
            return "-";
        }
        return String.join(",", hosts.stream().map(h -> cluster.alive(h) ? h : h + (cluster.unknown(h) ? "(unknown)" : "(down)")).toList());
    }

    /** How long the newest status change among live hosts is ago. */
    private String age() {
        return live().stream().map(ObjectStatus::since).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder())
                .map(since -> Ages.since(since, now)).orElse("-");
    }

    /**
     * Every replica: the containers each host reports (hosts not alive: Unknown with when they were last seen;
     * failover:false ones kept on a down host: Unavailable), then what is assigned but not reported yet, then what
     * could not be placed (Pending). In service order, then replica number, then host.
     */
    List<ReplicaRow> replicas() {
        record Placed(String service, int replica, String host) {
        }
        Map<Placed, ReplicaRow> rows = new LinkedHashMap<>();
        Set<Placed> assigned = new HashSet<>();
        Set<Placed> unavailable = new HashSet<>();
        Map<Placed, Handover> movingFrom = new LinkedHashMap<>();
        Map<Placed, Handover> movingTo = new LinkedHashMap<>();
        assignment.ifPresent(a -> {
            a.assignments().forEach(x -> assigned.add(new Placed(x.service(), x.replica(), x.host())));
            a.unavailable().forEach(x -> unavailable.add(new Placed(x.service(), x.replica(), x.host())));
            a.handovers().forEach(h -> {
                movingFrom.put(new Placed(h.service(), h.replica(), h.from()), h);
                movingTo.put(new Placed(h.service(), h.replica(), h.to()), h);
            });
        });
        for (ObjectStatus s : statuses) {
            boolean alive = cluster.alive(s.host());
            for (ReplicaStatus r : s.replicas()) {
                Placed at = new Placed(r.service(), r.replica(), s.host());
                String state;
                String reason = r.reason() == null ? "" : r.reason();
                if (unavailable.contains(at)) {
                    state = "Unavailable";
                    reason = "failover: false, stays on " + cluster.absence(s.host(), now);
                } else if (!alive) {
                    state = "Unknown (" + cluster.absence(s.host(), now) + ")";
                    reason = "last reported " + describe(r) + (reason.isEmpty() ? "" : ": " + reason);
                } else {
                    state = describe(r);
                    if (reason.isEmpty()) {
                        reason = moving(at, movingFrom, movingTo);
                    }
                    boolean placedByScheduler = assignment.isPresent() && services.stream()
                            .anyMatch(v -> v.name().equals(r.service()) && !v.global());
                    if (reason.isEmpty() && placedByScheduler && !assigned.contains(at) && !movingFrom.containsKey(at)) {
                        reason = "no longer assigned to " + s.host() + ": being removed";
                    }
                }
                rows.put(at, new ReplicaRow(r.service(), r.name() == null ? container(r.service(), r.replica()) : r.name(),
                        s.host(), state, reason, r));
            }
        }
        assignment.ifPresent(a -> {
            for (Assignment x : a.assignments()) {
                Placed at = new Placed(x.service(), x.replica(), x.host());
                if (rows.containsKey(at)) {
                    continue;
                }
                String state;
                String reason;
                if (unavailable.contains(at)) {
                    state = "Unavailable";
                    reason = "failover: false, stays on " + cluster.absence(x.host(), now);
                } else if (!cluster.alive(x.host())) {
                    state = "Unknown (" + cluster.absence(x.host(), now) + ")";
                    reason = "assigned, never reported";
                } else {
                    state = "Assigned";
                    String moving = moving(at, movingFrom, movingTo);
                    reason = moving.isEmpty() ? "not reported by " + x.host() + " yet" : moving;
                }
                rows.put(at, new ReplicaRow(x.service(), container(x.service(), x.replica()), x.host(), state, reason));
            }
            for (Assignment x : a.unavailable()) {
                Placed at = new Placed(x.service(), x.replica(), x.host());
                rows.putIfAbsent(at, new ReplicaRow(x.service(), container(x.service(), x.replica()), x.host(),
                        "Unavailable", "failover: false, stays on " + cluster.absence(x.host(), now)));
            }
            for (Unschedulable u : a.unschedulable()) {
                rows.putIfAbsent(new Placed(u.service(), u.replica(), "-"), new ReplicaRow(u.service(),
                        container(u.service(), u.replica()), "-", "Pending", "Unschedulable: " + u.message()));
            }
        });
        Map<Placed, ReplicaRow> sorted = new java.util.TreeMap<>(Comparator.comparingInt((Placed p) -> serviceIndex(p.service()))
                .thenComparing(Placed::service).thenComparingInt(Placed::replica).thenComparing(Placed::host));
        sorted.putAll(rows);
        return new ArrayList<>(sorted.values());
    }

    private static <P> String moving(P at, Map<P, Handover> from, Map<P, Handover> to) {
        if (from.containsKey(at)) {
            return "moving to " + from.get(at).to() + ": kept until it runs there";
        }
        if (to.containsKey(at)) {
            return "taking over from " + to.get(at).from();
        }
        return "";
    }

    private int serviceIndex(String service) {
        for (int i = 0; i < services.size(); i++) {
            if (services.get(i).name().equals(service)) {
                return i;
            }
        }
        return services.size();
    }

    /** "running (healthy)", "exited", "created". */
    private static String describe(ReplicaStatus r) {
        String state = r.state() == null ? "unknown" : r.state();
        return r.health() == null || r.health().isEmpty() ? state : state + " (" + r.health() + ")";
    }

    private String container(String service, int replica) {
        return services.stream().filter(s -> s.name().equals(service) && s.containerName() != null).findFirst()
                .map(Service::containerName).orElse(name + "-" + service + "-" + replica);
    }
}
