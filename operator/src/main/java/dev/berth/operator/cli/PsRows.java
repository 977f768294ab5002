package dev.berth.operator.cli;

import dev.berth.crds.status.ReplicaStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The rows of {@code berth ps} for one stack, from {@link StackView#replicas()} (which already judges rows of hosts
 * that are not alive and merges the scheduler's assignment), with each host's container details added. Pure.
 */
final class PsRows {
    static final Comparator<PsRow> ORDER = Comparator.comparing(PsRow::stack).thenComparing(PsRow::service)
            .thenComparingInt(PsRow::replica).thenComparing(PsRow::host).thenComparing(PsRow::name);
    private static final String UNKNOWN = "Unknown";

    private PsRows() {
    }

    static List<PsRow> of(ObjectView view, Instant now) {
        String stack = view.object().name();
        return StackTable.view(view, now).replicas().stream().map(r -> row(stack, r)).sorted(ORDER).toList();
    }

    private static PsRow row(String stack, StackView.ReplicaRow r) {
        String state = r.state();
        String reason = r.reason() == null ? "" : r.reason();
        // StackView says "Unknown (host hb2 down 2m, last seen ...)": the state column says Unknown, the reason why.
        if (state.startsWith(UNKNOWN + " (") && state.endsWith(")")) {
            String why = state.substring(UNKNOWN.length() + 2, state.length() - 1);
            state = UNKNOWN;
            reason = reason.isEmpty() ? why : why + "; " + reason;
        }
        ReplicaStatus s = r.reported();
        if (s == null) {
            return new PsRow(stack, r.service(), replicaOf(r.replica()), r.host(), r.replica(), null, null, state,
                    null, null, null, null, null, reason);
        }
        return new PsRow(stack, s.service(), s.replica(), r.host(), r.replica(), s.image(), s.imageId(),
                judged(state) ? state : s.state(), s.health(), s.restarts(), s.createdAt(), s.startedAt(),
                s.exitCode(), reason);
    }

    /** A state StackView decided for a host's report (not alive, or kept there without failover), not Docker's. */
    private static boolean judged(String state) {
        return state.equals(UNKNOWN) || state.equals("Unavailable");
    }

    /** The replica number at the end of a container's name ("web-httpd-2"), 0 when there is none. */
    private static int replicaOf(String name) {
        int dash = name.lastIndexOf('-');
        try {
            return dash < 0 ? 0 : Integer.parseInt(name.substring(dash + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
