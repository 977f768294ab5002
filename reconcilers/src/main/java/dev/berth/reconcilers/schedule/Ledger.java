package dev.berth.reconcilers.schedule;

import java.util.HashMap;
import java.util.Map;

/**
 * What one plan has assigned so far, per host: replicas of each service, replicas overall, reserved CPU and memory,
 * and replicas of each service per value of its spread label. Lives for one {@link Scheduler#plan} or {@link Moves}
 * call only.
 */
final class Ledger {
    private final Map<String, Map<String, Integer>> perServiceHost = new HashMap<>();
    private final Map<String, Map<String, Integer>> perServiceSpreadValue = new HashMap<>();
    private final Map<String, Integer> perHost = new HashMap<>();
    private final Map<String, Long> cpuUsed = new HashMap<>();
    private final Map<String, Long> memoryUsed = new HashMap<>();

    void add(ServiceDemand demand, Candidate host) {
        change(demand, host, 1);
    }

    void remove(ServiceDemand demand, Candidate host) {
        change(demand, host, -1);
    }

    int count(String service, String host) {
        return perServiceHost.getOrDefault(service, Map.of()).getOrDefault(host, 0);
    }

    int total(String host) {
        return perHost.getOrDefault(host, 0);
    }

    /** Replicas of the service on hosts whose spread label has this value. */
    int spreadCount(String service, String value) {
        return perServiceSpreadValue.getOrDefault(service, Map.of()).getOrDefault(value, 0);
    }

    long cpuUsed(String host) {
        return cpuUsed.getOrDefault(host, 0L);
    }

    long memoryUsed(String host) {
        return memoryUsed.getOrDefault(host, 0L);
    }

    private void change(ServiceDemand demand, Candidate host, int by) {
        String name = host.name();
        perServiceHost.computeIfAbsent(demand.service(), k -> new HashMap<>()).merge(name, by, Integer::sum);
        perHost.merge(name, by, Integer::sum);
        if (demand.spreadLabel() != null) {
            String value = host.labels().get(demand.spreadLabel());
            if (value != null) {
                perServiceSpreadValue.computeIfAbsent(demand.service(), k -> new HashMap<>())
                        .merge(value, by, Integer::sum);
            }
        }
        Reservation r = demand.reservation();
        if (r != null) {
            cpuUsed.merge(name, by * r.cpuMillis(), Long::sum);
            memoryUsed.merge(name, by * r.memoryBytes(), Long::sum);
        }
    }
}
