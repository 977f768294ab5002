package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which restart policy decides a compose service, as Compose v2 does: {@code deploy.restart_policy.condition} when
 * it is set (it is applied after {@code restart:} and wins), else {@code restart:}, else Compose's default
 * {@code "no"}. A service that declares neither is imported as {@code restart: "no"} and named in one note per file:
 * people who wrote nothing often meant a long-running service, and Berth used to keep those running.
 */
final class RestartDefault {
    static final String COMPOSE_DEFAULT = "no";
    private static final String COMPLETED = "service_completed_successfully";
    /** Compose's restart values under which an exited container stays exited, so it can be "completed". */
    private static final Set<String> ONE_SHOT = Set.of("no", "false", "on-failure", "none");

    private RestartDefault() {
    }

    /** Whether {@code deploy.restart_policy.condition} is written (non-null) on this service. */
    static boolean deployDecides(ComposeNode.Mapping service) {
        return service.get("deploy") instanceof ComposeNode.Mapping deploy
                && deploy.get("restart_policy") instanceof ComposeNode.Mapping policy
                && policy.get("condition") != null;
    }

    /** Whether the service says how it restarts, by {@code restart:} or by {@code deploy.restart_policy.condition}. */
    static boolean declared(ComposeNode.Mapping service) {
        return written(service.get("restart")) || deployDecides(service);
    }

    /**
     * Whether a {@code restart:} value says something: an empty one ({@code restart: ${UNSET}}) is unset in Compose,
     * which then applies its default.
     */
    static boolean written(ComposeNode restart) {
        return restart != null && !restart.isNull()
                && !(restart instanceof ComposeNode.Scalar s && s.text().isEmpty());
    }

    /** One note at {@code services:} naming every service imported with Compose's default; none when all declare one. */
    static void note(ComposeNode.Entry services, Diagnostics diagnostics) {
        if (!(services.value() instanceof ComposeNode.Mapping map)) {
            return;
        }
        List<String> undeclared = new ArrayList<>();
        for (ComposeNode.Entry e : map.entries().values()) {
            if (e.value() instanceof ComposeNode.Mapping m && !declared(m)) {
                undeclared.add(e.key());
            }
        }
        if (undeclared.isEmpty()) {
            return;
        }
        boolean one = undeclared.size() == 1;
        diagnostics.warn(services, "services", (one ? "1 service has" : undeclared.size() + " services have")
                + " no restart: " + String.join(", ", undeclared) + "; imported as restart: \"no\", Compose's default: "
                + (one ? "it is not restarted when it exits" : "they are not restarted when they exit")
                + "; add restart: unless-stopped to keep a long-running one up");
    }

    /**
     * depends_on with condition service_completed_successfully on a service Docker restarts (always, unless-stopped,
     * any) can never be met: the Stack refuses it, so it is imported as service_started with a warning at the
     * condition. Runs on the converted services ({@code specs}, Berth names from {@code names}).
     */
    static void completedDependencies(ComposeNode.Mapping services, Map<String, String> names, JsonNode specs,
                                      Diagnostics diagnostics) {
        for (ComposeNode.Entry s : services.entries().values()) {
            if (!(s.value() instanceof ComposeNode.Mapping m) || !(m.get("depends_on") instanceof ComposeNode.Mapping deps)) {
                continue;
            }
            for (ComposeNode.Entry d : deps.entries().values()) {
                if (!(d.value() instanceof ComposeNode.Mapping options)
                        || !(options.get("condition") instanceof ComposeNode.Scalar condition)
                        || !COMPLETED.equals(condition.text())
                        || !(services.get(d.key()) instanceof ComposeNode.Mapping dependency)) {
                    continue;
                }
                String restart = effective(dependency);
                if (ONE_SHOT.contains(restart)) {
                    continue;
                }
                diagnostics.warn(condition, Paths.child(Paths.child(Paths.child(Paths.child("services", s.key()),
                        "depends_on"), d.key()), "condition"), COMPLETED + " needs " + d.key()
                        + " to stay exited, but its restart policy " + restart + " starts it again; using service_started");
                for (JsonNode spec : specs) {
                    if (spec.path("name").asText().equals(names.get(s.key()))) {
                        for (JsonNode dep : spec.path("dependsOn")) {
                            if (dep.path("service").asText().equals(names.get(d.key()))) {
                                ((ObjectNode) dep).remove("condition");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * deploy.update_config.order start-first on a one-shot service (restart "no" or on-failure, as converted): the
     * Stack refuses it (its replacement exits, which start-first takes for a failure), so it is imported as recreate,
     * with a warning at the order. Runs on the converted services ({@code specs}, Berth names from {@code names}).
     */
    static void startFirstOneShots(ComposeNode.Mapping services, Map<String, String> names, JsonNode specs,
                                   Diagnostics diagnostics) {
        for (ComposeNode.Entry s : services.entries().values()) {
            if (!(s.value() instanceof ComposeNode.Mapping m) || !(m.get("deploy") instanceof ComposeNode.Mapping deploy)
                    || !(deploy.get("update_config") instanceof ComposeNode.Mapping update)
                    || !(update.get("order") instanceof ComposeNode.Scalar order)) {
                continue;
            }
            for (JsonNode spec : specs) {
                if (spec.path("name").asText().equals(names.get(s.key()))
                        && ONE_SHOT.contains(spec.path("restart").asText())
                        && "start-first".equals(spec.path("update").path("strategy").asText())) {
                    ((ObjectNode) spec.path("update")).put("strategy", "recreate");
                    diagnostics.warn(order, Paths.child(Paths.child(Paths.child(Paths.child("services", s.key()),
                            "deploy"), "update_config"), "order"), "start-first needs the replacement to keep running, "
                            + "but restart " + spec.path("restart").asText() + " makes " + s.key()
                            + " a one-shot service; using recreate (stop-first)");
                }
            }
        }
    }

    /** The restart value Compose applies to the service (deploy's condition, else restart:, else "no"), as written. */
    private static String effective(ComposeNode.Mapping service) {
        if (deployDecides(service)) {
            ComposeNode condition = ((ComposeNode.Mapping) ((ComposeNode.Mapping) service.get("deploy"))
                    .get("restart_policy")).get("condition");
            return condition instanceof ComposeNode.Scalar text ? text.text() : "";
        }
        if (written(service.get("restart")) && service.get("restart") instanceof ComposeNode.Scalar text) {
            String value = text.text();
            return value.startsWith("on-failure") ? "on-failure" : value;
        }
        return COMPOSE_DEFAULT;
    }
}
