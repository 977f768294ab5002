package dev.berth.reconcilers.schedule;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one more replica of a service would go: the host that passes every filter and scores best, or, when none
 * does, each host's reason. Shared by {@link Scheduler}'s place step and by {@link Moves}, so a drained or
 * rebalanced replica lands where a new one would.
 *
 * @param host    null when no host takes the replica
 * @param reasons when no host takes the replica, why each host refused it, by host name; empty otherwise
 */
record HostChoice(Candidate host, Map<String, String> reasons) {
    /**
     * Scoring: (with spread: fewest of this service on hosts sharing the host's label value), fewest of this service
     * on the host, fewest replicas overall, host name.
     *
     * @param hosts in name order, so a tie keeps the earlier name
     */
    static HostChoice best(ServiceDemand demand, List<Candidate> hosts, Ledger ledger) {
        Candidate best = null;
        for (Candidate host : hosts) {
            if (HostFilter.passes(demand, host, ledger, true) && (best == null || better(demand, host, best, ledger))) {
                best = host;
            }
        }
        if (best != null) {
            return new HostChoice(best, Map.of());
        }
        // Reasons are text for a status message: built only for a replica no host takes, which is rare.
        Map<String, String> reasons = new TreeMap<>();
        for (Candidate host : hosts) {
            reasons.put(host.name(), HostFilter.reject(demand, host, ledger, true));
        }
        return new HostChoice(null, reasons);
    }

    /** Strictly better than {@code best}. */
    private static boolean better(ServiceDemand demand, Candidate host, Candidate best, Ledger ledger) {
        String service = demand.service();
        if (demand.spreadLabel() != null) {
            int c = Integer.compare(
                    ledger.spreadCount(service, host.labels().get(demand.spreadLabel())),
                    ledger.spreadCount(service, best.labels().get(demand.spreadLabel())));
            if (c != 0) {
                return c < 0;
            }
        }
        int c = Integer.compare(ledger.count(service, host.name()), ledger.count(service, best.name()));
        if (c != 0) {
            return c < 0;
        }
        return ledger.total(host.name()) < ledger.total(best.name());
    }
}
