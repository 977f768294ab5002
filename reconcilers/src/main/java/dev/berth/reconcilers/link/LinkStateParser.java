package dev.berth.reconcilers.link;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns iproute2 JSON ({@code ip -j -d link show}, {@code bridge -j fdb show}, {@code ip -j neigh show nud permanent})
 * into Berth's {@link LinkState}. The ownership filter lives here, so nothing foreign ever reaches a planner.
 *
 * <p>As iproute2 6.1 prints them: an FDB entry the VXLAN device holds itself has {@code "flags":["self"]} and
 * {@code "state":"permanent"}; a learned one has {@code "state":""}; the bridge's own entry for the port has
 * {@code "master"} and no {@code self}. A VXLAN device that is up reports {@code operstate UNKNOWN}, so "up" is the
 * {@code UP} flag.
 */
final class LinkStateParser {
    private final ObjectMapper json = new ObjectMapper();

    LinkState parse(String linksJson, String fdbJson, String neighJson) {
        List<VxlanDevice> devices = new ArrayList<>();
        Map<String, BridgeInfo> bridges = new HashMap<>();
        for (JsonNode link : array(linksJson, "ip link")) {
            String kind = link.path("linkinfo").path("info_kind").asText("");
            if (kind.equals("bridge")) {
                BridgeInfo b = new BridgeInfo(link.path("ifname").asText(), link.path("mtu").asInt(), isUp(link));
                bridges.put(b.name(), b);
            } else if (kind.equals("vxlan")) {
                VxlanDevice d = vxlan(link);
                if (LinkOwnership.isBerths(d)) {
                    devices.add(d);
                }
            }
        }
        Set<String> ours = new HashSet<>();
        Set<String> ourBridges = new HashSet<>();
        for (VxlanDevice d : devices) {
            ours.add(d.name());
            if (d.master() != null) {
                ourBridges.add(d.master());
            }
        }
        return new LinkState(devices, bridges, fdb(fdbJson, ours), neighbours(neighJson, ourBridges));
    }

    private static VxlanDevice vxlan(JsonNode link) {
        JsonNode data = link.path("linkinfo").path("info_data");
        return new VxlanDevice(
                link.path("ifname").asText(),
                data.path("id").asInt(),
                textOrNull(data.path("local")),
                data.path("port").asInt(),
                link.path("mtu").asInt(),
                textOrNull(link.path("master")),
                isUp(link),
                textOrNull(link.path("ifalias")),
                // Absent means the kernel did not say; treat as learning so the device is recreated, not trusted.
                data.path("learning").asBoolean(true));
    }

    private List<FdbEntry> fdb(String fdbJson, Set<String> ours) {
        List<FdbEntry> out = new ArrayList<>();
        for (JsonNode e : array(fdbJson, "bridge fdb")) {
            String dev = e.path("ifname").asText("");
            if (ours.contains(dev) && contains(e.path("flags"), "self") && e.path("state").asText("").equals("permanent")) {
                out.add(new FdbEntry(e.path("mac").asText(), dev, textOrNull(e.path("dst"))));
            }
        }
        return out;
    }

    private List<NeighEntry> neighbours(String neighJson, Set<String> ourBridges) {
        List<NeighEntry> out = new ArrayList<>();
        for (JsonNode n : array(neighJson, "ip neigh")) {
            String dev = n.path("dev").asText("");
            if (ourBridges.contains(dev) && contains(n.path("state"), "PERMANENT") && n.hasNonNull("lladdr")) {
                out.add(new NeighEntry(n.path("dst").asText(), n.path("lladdr").asText(), dev));
            }
        }
        return out;
    }

    private static boolean isUp(JsonNode link) {
        return contains(link.path("flags"), "UP");
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (value.equals(v.asText())) {
                return true;
            }
        }
        return false;
    }

    private static String textOrNull(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private JsonNode array(String text, String what) {
        if (text == null || text.isBlank()) {
            // Some iproute2 versions print nothing rather than [] when there is nothing to show.
            return json.createArrayNode();
        }
        try {
            JsonNode node = json.readTree(text);
            if (!node.isArray()) {
                throw new LinkDriverException(what + " printed JSON that is not an array");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new LinkDriverException("cannot parse " + what + " JSON: " + e.getOriginalMessage(), e);
        }
    }
}
