package dev.berth.reconcilers.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Places the replicas of services on hosts: a pure function of (demands, live hosts, current assignments), no
 * I/O, no clock, no randomness. The order of the input lists does not matter: services, hosts and assignments are
 * sorted first, so the same input always gives the same schedule.
 *
 * <p>Three passes, each over services in name order:
 * <ol>
 * <li><b>Keep.</b> A current assignment stays when its host is listed and still passes every filter except cordon,
 *     counted against what was kept before it (replicas in number order). This is why a joining host moves
 *     nothing. On a {@link Candidate#down() down} host only replicas of {@code failover: false} services stay
 *     (they are also reported {@link Schedule#unavailable()}). Assignments on hosts that are gone, down (failover
 *     services) or no longer eligible, of unknown services, with a replica number below 1, or repeating a replica
 *     number already kept, are dropped.</li>
 * <li><b>Scale down.</b> While a service keeps more than {@code replicas}, a replica on a down host goes first
 *     (it runs nowhere), then the replica on the host with most replicas of that service, the highest replica
 *     number among equally loaded hosts first. Dropping before placing means a replica lost with its host is
 *     simply not replaced when the service also shrank.</li>
 * <li><b>Place.</b> Missing replicas take the lowest free numbers, one at a time, each on the eligible host
 *     with (fewest of this service on hosts with the same spread label value, when spread is set; fewest of this
 *     service; fewest replicas overall; host name). A replica no host takes is {@link Unschedulable} with each
 *     live host's reason, and so is every later replica of that service.</li>
 * </ol>
 * "Overall" and reserved capacity count only the assignments of this plan: a caller planning one stack at a time
 * passes each host's capacity minus other stacks' reservations.
 */
public final class Scheduler {
    private static final Comparator<Candidate> BY_NAME = Comparator.comparing(Candidate::name);

    private Scheduler() {
    }

    /**
     * @param liveHosts every host the cluster knows: live ones, cordoned ones (also those unreachable within the
     *                  failover grace period) and down ones; a host left out is gone and keeps nothing
     */
    public static Schedule plan(List<ServiceDemand> demands, List<Candidate> liveHosts, List<Assignment> current) {
        Map<String, ServiceDemand> services = byService(demands);
        Map<String, Candidate> hosts = byName(liveHosts);
        List<Candidate> hostOrder = inNameOrder(hosts);
        Ledger ledger = new Ledger();

        Map<String, List<Assignment>> kept = keep(services, hosts, current, ledger);
        for (ServiceDemand demand : services.values()) {
            scaleDown(demand, kept.get(demand.service()), hosts, ledger);
        }
        List<Assignment> assignments = new ArrayList<>();
        List<Unschedulable> unschedulable = new ArrayList<>();
        for (ServiceDemand demand : services.values()) {
            List<Assignment> mine = kept.get(demand.service());
            place(demand, mine, hostOrder, ledger, unschedulable);
            assignments.addAll(mine);
        }
        assignments.sort(Assignment.ORDER);
        List<Assignment> unavailable = assignments.stream().filter(a -> hosts.get(a.host()).down()).toList();
        return new Schedule(assignments, unschedulable, unavailable);
    }

    private static Map<String, List<Assignment>> keep(Map<String, ServiceDemand> services,
                                                      Map<String, Candidate> hosts, List<Assignment> current,
                                                      Ledger ledger) {
        List<Assignment> ordered = new ArrayList<>(current);
        ordered.sort(Assignment.ORDER);
        Map<String, List<Assignment>> kept = new TreeMap<>();
        Map<String, Set<Integer>> numbers = new HashMap<>();
        for (String service : services.keySet()) {
            kept.put(service, new ArrayList<>());
            numbers.put(service, new HashSet<>());
        }
        for (Assignment a : ordered) {
            ServiceDemand demand = services.get(a.service());
            Candidate host = hosts.get(a.host());
            if (demand == null || host == null || a.replica() < 1 || numbers.get(a.service()).contains(a.replica())
                    || (host.down() && demand.failover()) || HostFilter.reject(demand, host, ledger, false) != null) {
                continue;
            }
            ledger.add(demand, host);
            numbers.get(a.service()).add(a.replica());
            kept.get(a.service()).add(a);
        }
        return kept;
    }

    private static void scaleDown(ServiceDemand demand, List<Assignment> kept, Map<String, Candidate> hosts,
                                  Ledger ledger) {
        while (kept.size() > demand.replicas()) {
            Assignment victim = kept.stream()
                    .max(Comparator.<Assignment, Boolean>comparing(a -> hosts.get(a.host()).down())
                            .thenComparingInt(a -> ledger.count(a.service(), a.host()))
                            .thenComparingInt(Assignment::replica))
                    .orElseThrow();
            kept.remove(victim);
            ledger.remove(demand, hosts.get(victim.host()));
        }
    }

    private static void place(ServiceDemand demand, List<Assignment> assigned, List<Candidate> hosts, Ledger ledger,
                              List<Unschedulable> unschedulable) {
        Set<Integer> taken = new HashSet<>();
        assigned.forEach(a -> taken.add(a.replica()));
        int missing = demand.replicas() - assigned.size();
        Map<String, String> refused = null;
        int number = 0;
        for (int i = 0; i < missing; i++) {
            do {
                number++;
            } while (taken.contains(number));
            if (refused != null) {
                // Nothing changed since the last replica of this service found no host.
                unschedulable.add(new Unschedulable(demand.service(), number, refused));
                continue;
            }
            HostChoice choice = HostChoice.best(demand, hosts, ledger);
            if (choice.host() == null) {
                refused = choice.reasons();
                unschedulable.add(new Unschedulable(demand.service(), number, refused));
                continue;
            }
            ledger.add(demand, choice.host());
            assigned.add(new Assignment(demand.service(), number, choice.host().name()));
        }
    }

    static Map<String, ServiceDemand> byService(List<ServiceDemand> demands) {
        Map<String, ServiceDemand> services = new TreeMap<>();
        for (ServiceDemand d : demands) {
            if (services.put(d.service(), d) != null) {
                throw new IllegalArgumentException("service " + d.service() + " is demanded twice");
            }
        }
        return services;
    }

    static Map<String, Candidate> byName(List<Candidate> liveHosts) {
        Map<String, Candidate> hosts = new HashMap<>();
        for (Candidate c : liveHosts) {
            if (hosts.put(c.name(), c) != null) {
                throw new IllegalArgumentException("host " + c.name() + " is listed twice");
            }
        }
        return hosts;
    }

    static List<Candidate> inNameOrder(Map<String, Candidate> hosts) {
        return hosts.values().stream().sorted(BY_NAME).toList();
    }
}
