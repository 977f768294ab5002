package dev.berth.bench.corpus;

import java.util.Set;

/**
 * A compose path with what differs between files taken out, so paths count up across the corpus:
 * {@code services.web.environment.DB_URL} → {@code services.*.environment.*},
 * {@code services.web.labels.traefik.http.routers.web.rule} → {@code services.*.labels.traefik.*},
 * {@code services.web.ports[0]} → {@code services.*.ports[]}.
 */
final class PathPattern {
    /** Maps whose keys are the user's names, not Compose's. */
    private static final Set<String> NAMED = Set.of("environment", "labels", "sysctls", "extra_hosts", "ulimits",
            "depends_on", "networks", "args", "options", "annotations", "driver_opts", "secrets", "configs",
            "volumes", "services", "x-*");

    private PathPattern() {
    }

    static String of(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        int eq = path.indexOf('=');
        if (eq > 0) {
            // a list-form label shown with its key: services.web.labels[2]=traefik.http.routers.web.rule
            String label = path.substring(eq + 1);
            return of(path.substring(0, eq)) + (label.startsWith("traefik") ? "[traefik.*]" : "");
        }
        String p = path.replaceAll("\\[\\d+]", "[]");
        String[] parts = p.split("\\.");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('.');
            }
            String part = parts[i];
            String previous = i == 0 ? "" : parts[i - 1];
            if (part.startsWith("x-")) {
                out.append("x-*");
                break;
            }
            if (NAMED.contains(previous)) {
                // labels.traefik.* keep their prefix: Traefik labels are a feature of their own.
                if (previous.equals("labels") && part.startsWith("traefik")) {
                    out.append("traefik.*");
                    break;
                }
                out.append(part.endsWith("[]") ? "*[]" : "*");
                if (!previous.equals("services")) {
                    break;
                }
                continue;
            }
            out.append(part);
        }
        return out.toString();
    }
}
