package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.Resource;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.stack.HostInfo;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After {@code berth apply}: where the applied stacks will run on the hosts alive now, and warnings about what will
 * not work as expected there ({@link PlacementAdvice}), and hosts named in placements that the cluster does not know
 * ({@link UnknownPlacementHosts}). Reads the host records (on their operators' leases, so a
 * listed host is alive) once per command.
 */
final class PlacementNotice {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlacementNotice() {
    }

    static void print(StoreSession session, Collection<Resource> applied, PrintWriter err) {
        String prefix = session.store().keys().hostsPrefix();
        List<HostInfo> hosts = hosts(session.kv().list(prefix).values(), prefix);
        // Known: alive now (a record) or a member the scheduler still counts (down, not forgotten).
        java.util.Set<String> known = new java.util.TreeSet<>();
        hosts.forEach(h -> known.add(h.name()));
        String members = session.store().keys().membersPrefix();
        session.kv().list(members).values().forEach(v -> known.add(v.key().substring(members.length())));
        for (Resource r : applied) {
            PlacementAdvice.of(r, hosts).forEach(err::println);
            UnknownPlacementHosts.of(r, known).ifPresent(err::println);
        }
        err.flush();
    }

    /** Name from the key; labels from the record, none when it does not decode (a newer or broken writer). */
    static List<HostInfo> hosts(Collection<StoredValue> records, String prefix) {
        return records.stream().map(v -> new HostInfo(v.key().substring(prefix.length()), labels(v.value()))).toList();
    }

    private static Map<String, String> labels(String json) {
        Map<String, String> labels = new LinkedHashMap<>();
        try {
            JSON.readTree(json).path("labels").properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // No labels: the host still counts as alive, and a selector simply does not match it.
        }
        return labels;
    }
}
