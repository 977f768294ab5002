package dev.berth.operator.control;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.reconcilers.docker.ContainerRun;
import dev.berth.reconcilers.docker.ObservedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackAction;
import dev.berth.reconcilers.stack.StackOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The containers a host runs for a stack, as status rows (what {@code berth describe stack} and {@code berth ps}
 * list per host): each observed container with Docker's state and health, its image, restarts, creation and start
 * times and last exit code (none of it moves with time, so an unchanged host rewrites no status), and the reason
 * this pass acted on it (empty when it is as wanted; "completed" or "failed: exit code N" for a one-shot replica
 * left exited), plus replicas still waiting to be created. Pure. Taken from the list the pass planned from, so a row
 * shows the state before the pass's own actions; the next pass, which follows any change, shows the result.
 */
final class ReplicaRows {
    private static final Comparator<ReplicaStatus> ORDER = Comparator.comparing(ReplicaStatus::service)
            .thenComparingInt(ReplicaStatus::replica).thenComparing(ReplicaStatus::name);

    private ReplicaRows() {
    }

    static List<ReplicaStatus> of(ObjectKey stack, ObservedStack seen, StackOutcome outcome) {
        Map<String, String> reasons = new HashMap<>();
        List<ReplicaStatus> rows = new ArrayList<>();
        for (StackAction a : outcome.planned()) {
            if (a instanceof StackAction.RemoveContainer r) {
                reasons.put(r.name(), "removing: " + r.reason());
            } else if (a instanceof StackAction.RetireContainer r) {
                reasons.put(r.name(), r.replacement() == null ? "draining: moved to another host"
                        : "draining: replaced by " + r.replacement());
            } else if (a instanceof StackAction.AbortRollout r) {
                reasons.put(r.name(), "rolling back: " + r.why());
            } else if (a instanceof StackAction.RemoveLeftover r) {
                reasons.put(r.name(), "removing: " + r.state() + ", not removed by Docker yet");
            } else if (a instanceof StackAction.Wait w) {
                reasons.put(w.name(), "waiting: " + w.why());
            } else if (a instanceof StackAction.CreateContainer c && c.replaces() != null) {
                reasons.put(c.replaces().name(), "replacing: " + c.replaces().reason());
            }
        }
        outcome.report().leftovers().forEach(l -> reasons.put(l.name(), "Docker cannot remove it: " + l.message()));
        // A one-shot replica left exited is as wanted; its row says how it ended (ps's REASON).
        outcome.finished().forEach(f -> reasons.putIfAbsent(f.name(), OneShotFailure.rowReason(f)));
        String owner = stack.toString();
        java.util.Set<String> seenNames = new java.util.HashSet<>();
        for (ObservedContainer c : seen.containers()) {
            if (!owner.equals(c.labels().get(BerthLabels.OWNER))) {
                continue;
            }
            seenNames.add(c.name());
            ContainerRun run = c.run();
            rows.add(new ReplicaStatus(c.name(), c.labels().getOrDefault(BerthLabels.SERVICE, "?"),
                    replica(c.labels().get(BerthLabels.REPLICA)), c.state(), c.health(), reasons.getOrDefault(c.name(), ""),
                    c.image(), imageId(c), run == null ? null : run.restarts(),
                    c.created() > 0 ? Instant.ofEpochSecond(c.created()).toString() : null,
                    run == null ? null : run.startedAt(), run == null ? null : run.exitCode()));
        }
        for (StackAction a : outcome.planned()) {
            if (a instanceof StackAction.CreateContainer create && !seenNames.contains(create.plan().name())) {
                rows.add(new ReplicaStatus(create.plan().name(), create.plan().service(), create.plan().replica(),
                        "creating", null, ""));
            } else if (a instanceof StackAction.Wait w && !seenNames.contains(w.name())) {
                rows.add(new ReplicaStatus(w.name(), serviceOf(stack.name(), w.name()), replica(lastPart(w.name())),
                        "pending", null, reasons.get(w.name())));
            }
        }
        rows.sort(ORDER);
        return rows;
    }

    /** The digest the reference pins ("repo@sha256:..."), else Docker's local image id. */
    private static String imageId(ObservedContainer c) {
        String image = c.image();
        int at = image == null ? -1 : image.indexOf('@');
        return at >= 0 ? image.substring(at + 1) : c.imageId();
    }

    private static String serviceOf(String stack, String container) {
        String rest = container.startsWith(stack + "-") ? container.substring(stack.length() + 1) : container;
        int dash = rest.lastIndexOf('-');
        return dash > 0 ? rest.substring(0, dash) : rest;
    }

    private static String lastPart(String name) {
        int dash = name.lastIndexOf('-');
        return dash >= 0 ? name.substring(dash + 1) : name;
    }

    private static int replica(String text) {
        try {
            return text == null ? 0 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
