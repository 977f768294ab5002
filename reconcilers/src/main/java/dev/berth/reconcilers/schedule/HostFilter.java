package dev.berth.reconcilers.schedule;

import dev.berth.reconcilers.stack.PlacementRule;

/**
 * Whether a host may run one more replica of a service, given what the plan has assigned so far; the reason when
 * it may not, in the words of an Unschedulable message. Checks run in a fixed order and the first failing one is
 * the reason.
 */
final class HostFilter {
    /** What {@link #passes} sees instead of a reason: reasons are text, built only when someone reads them. */
    private static final String REFUSED = "refused";

    private HostFilter() {
    }

    /**
     * {@link #reject} without building the reason: the place step's hot path, which needs reasons only when no host
     * takes a replica.
     */
    static boolean passes(ServiceDemand demand, Candidate host, Ledger ledger, boolean newReplica) {
        return check(demand, host, ledger, newReplica, false) == null;
    }

    /**
     * @param newReplica false when checking a replica the host already runs: cordon keeps what a host runs, so it
     *                   only refuses new replicas (and so does down; whether a down host keeps a replica depends on
     *                   the service's failover, which the caller decides)
     * @return null when the host may take the replica
     */
    static String reject(ServiceDemand demand, Candidate host, Ledger ledger, boolean newReplica) {
        return check(demand, host, ledger, newReplica, true);
    }

    private static String check(ServiceDemand demand, Candidate host, Ledger ledger, boolean newReplica,
                                boolean explain) {
        if (!demand.placement().isEmpty() && !PlacementRule.placedHere(demand.placement(), host.hostInfo())) {
            return "not selected by placement";
        }
        if (newReplica && host.down()) {
            return "down";
        }
        if (newReplica && host.cordoned()) {
            return "cordoned";
        }
        if (demand.spreadLabel() != null && !host.labels().containsKey(demand.spreadLabel())) {
            return explain ? "no label " + demand.spreadLabel() + " to spread by" : REFUSED;
        }
        int here = ledger.count(demand.service(), host.name());
        if (demand.fixedHostPort() && here >= 1) {
            return explain ? "already runs " + demand.service() + ", whose fixed host port binds once per host"
                    : REFUSED;
        }
        if (demand.maxPerHost() != null && here >= demand.maxPerHost()) {
            return explain ? "already runs " + here + " of " + demand.service() + " (maxPerHost "
                    + demand.maxPerHost() + ")" : REFUSED;
        }
        return capacity(demand.reservation(), host, ledger, explain);
    }

    private static String capacity(Reservation need, Candidate host, Ledger ledger, boolean explain) {
        Capacity has = host.capacity();
        if (need == null || has == null) {
            return null;
        }
        long cpuFree = Math.max(0, has.cpuMillis() - ledger.cpuUsed(host.name()));
        if (need.cpuMillis() > 0 && need.cpuMillis() > cpuFree) {
            if (!explain) {
                return REFUSED;
            }
            String cpus = Amounts.cpus(need.cpuMillis());
            return "needs " + cpus + (need.cpuMillis() == 1000 ? " CPU, " : " CPUs, ") + Amounts.cpus(cpuFree)
                    + " free";
        }
        long memoryFree = Math.max(0, has.memoryBytes() - ledger.memoryUsed(host.name()));
        if (need.memoryBytes() > 0 && need.memoryBytes() > memoryFree) {
            return explain ? "needs " + Amounts.bytes(need.memoryBytes()) + " memory, " + Amounts.bytes(memoryFree)
                    + " free" : REFUSED;
        }
        return null;
    }
}
