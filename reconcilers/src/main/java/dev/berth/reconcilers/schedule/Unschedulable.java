package dev.berth.reconcilers.schedule;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A replica no live host could take, with why each live host refused it (by host name). */
public record Unschedulable(String service, int replica, Map<String, String> reasons) {
    public Unschedulable {
        Objects.requireNonNull(service, "service");
        reasons = Map.copyOf(reasons);
    }

    /** For a status message, hosts in name order: {@code hb2: cordoned; hb3: needs 2 CPUs, 0.5 free}. */
    public String message() {
        if (reasons.isEmpty()) {
            return "no live hosts";
        }
        return new TreeMap<>(reasons).entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("; "));
    }
}
