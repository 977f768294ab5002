package dev.berth.operator.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.TreeSet;

/** Pure: the VTEP addresses ({@code dst}) of the entries {@code bridge -j fdb show dev DEV} printed. */
public final class FdbDestinations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FdbDestinations() {
    }

    /** Empty for output that is not a JSON list (a missing device prints nothing on stdout). */
    public static Set<String> parse(String json) {
        Set<String> dst = new TreeSet<>();
        try {
            JsonNode entries = JSON.readTree(json == null || json.isBlank() ? "[]" : json);
            for (JsonNode entry : entries) {
                if (entry.hasNonNull("dst")) {
                    dst.add(entry.path("dst").asText());
                }
            }
        } catch (Exception e) {
            return Set.of();
        }
        return dst;
    }
}
