package dev.berth.operator.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.reconcilers.overlay.OverlayHost;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the underlay: the address VXLAN binds to and its interface's MTU, from {@code ip -j addr} (in a
 * network namespace when the operator manages one). Given an interface, its first IPv4 address; given an
 * address, the interface that holds it.
 */
public final class UnderlayProbe {
    private UnderlayProbe() {
    }

    public static OverlayHost probe(String host, Optional<String> netns, Optional<String> iface, Optional<String> ip) {
        List<String> command = new ArrayList<>(List.of("ip"));
        netns.ifPresent(ns -> command.addAll(List.of("-n", ns)));
        command.addAll(List.of("-j", "addr", "show"));
        JsonNode links;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
            }
            links = new ObjectMapper().readTree(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        for (JsonNode link : links) {
            String name = link.path("ifname").asText();
            for (JsonNode addr : link.path("addr_info")) {
                if (!"inet".equals(addr.path("family").asText())) {
                    continue;
                }
                String local = addr.path("local").asText();
                boolean match = iface.map(name::equals).orElse(false) || ip.map(local::equals).orElse(false);
                if (match) {
                    return new OverlayHost(host, ip.orElse(local), link.path("mtu").asInt(1500));
                }
            }
        }
        throw new IllegalStateException(iface.map(i -> "interface " + i + " has no IPv4 address")
                .orElse(ip.map(a -> "no interface holds " + a).orElse("no underlay given"))
                + netns.map(ns -> " in network namespace " + ns).orElse(""));
    }
}
