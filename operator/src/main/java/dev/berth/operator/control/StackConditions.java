package dev.berth.operator.control;

import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.crds.status.ServiceCount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a stack's status for this host from what the reconcile saw and did. Pure: the caller passes the
 * previous status and the time, and transition times only move when a condition's status moves.
 */
public final class StackConditions {
    private StackConditions() {
    }

    /**
     * What happened in one pass, in status terms.
     *
     * @param inProgress the pass left work for later (waits, a drain, the deadline, a failure): the stack has not
     *                   converged yet, even if every replica already runs
     */
    public record Pass(long revision, Map<String, ServiceCount> services, boolean inProgress,
                       Optional<Failure> failure, List<ReplicaStatus> replicas, boolean scheduling,
                       Optional<Progress> progress, List<String> notRemovable) {
        public Pass {
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
            progress = progress == null ? Optional.empty() : progress;
            notRemovable = notRemovable == null ? List.of() : List.copyOf(notRemovable);
        }

        /** Docker removed every container it was asked to. */
        public Pass(long revision, Map<String, ServiceCount> services, boolean inProgress, Optional<Failure> failure,
                    List<ReplicaStatus> replicas, boolean scheduling, Optional<Progress> progress) {
            this(revision, services, inProgress, failure, replicas, scheduling, progress, List.of());
        }

        /** Nothing in progress worth naming (the Progressing condition says Reconciling when it is True). */
        public Pass(long revision, Map<String, ServiceCount> services, boolean inProgress, Optional<Failure> failure,
                    List<ReplicaStatus> replicas, boolean scheduling) {
            this(revision, services, inProgress, failure, replicas, scheduling, Optional.empty());
        }

        /** Without the list of containers, and every service decided. */
        public Pass(long revision, Map<String, ServiceCount> services, boolean inProgress, Optional<Failure> failure) {
            this(revision, services, inProgress, failure, List.of(), false);
        }
    }

    /**
     * What the stack waits for while it progresses, with a CamelCase reason (Pulling, Building) and a message naming
     * it: the Progressing condition's reason instead of Reconciling.
     */
    public record Progress(String reason, String message) {
    }

    /**
     * A failure with a CamelCase reason (InvalidSpec, ImageNotFound, PortInUse, ...) and a message; {@code retried}
     * false for a state nothing retries (a one-shot container that exited non-zero): not progressing.
     */
    public record Failure(String reason, String message, boolean retried) {
        public Failure(String reason, String message) {
            this(reason, message, true);
        }
    }

    /** Ready's reason when every replica runs or, for a one-shot service, exited 0 and some did the latter. */
    public static final String COMPLETED = "Completed";

    /**
     * @param pass {@code notRemovable}: "container X cannot be removed by Docker: ..." for each dead container Docker
     *             refused to remove in the pass. Their replicas run under stand-in names, so this is not Degraded (it
     *             may last until a person or a dockerd restart frees the mount): Ready's message names them.
     */
    public static ObjectStatus build(String host, Optional<ObjectStatus> previous, Pass pass, String now) {
        // A completed one-shot replica is as wanted as a running one.
        boolean allRunning = pass.services().values().stream().allMatch(c -> c.running() + c.completed() >= c.desired());
        List<Condition> conditions = new ArrayList<>();
        if (pass.failure().isPresent()) {
            Failure f = pass.failure().get();
            boolean invalid = f.reason().equals("InvalidSpec");
            conditions.add(new Condition(Condition.READY, allRunning && !invalid ? "True" : "False",
                    invalid ? "InvalidSpec" : allRunning ? readyReason(pass.services()) : "NotAllRunning",
                    readyMessage(pass), null));
            if (!invalid && !f.retried()) {
                conditions.add(new Condition(Condition.PROGRESSING, pass.inProgress() ? "True" : "False",
                        pass.inProgress() ? "Reconciling" : "Failed", pass.inProgress() ? "applying changes"
                                : "nothing retries it; a new spec or berth restart stack does", null));
            } else {
                conditions.add(new Condition(Condition.PROGRESSING, invalid ? "False" : "True",
                        invalid ? "InvalidSpec" : "RetryingAfterError", invalid
                                ? "waiting for a valid spec; running containers are kept" : "retrying with backoff", null));
            }
            conditions.add(new Condition(Condition.DEGRADED, "True", f.reason(), f.message(), null));
        } else if (pass.scheduling()) {
            conditions.add(new Condition(Condition.READY, "False", "Scheduling", readyMessage(pass), null));
            conditions.add(new Condition(Condition.PROGRESSING, "True", "Scheduling",
                    "waiting for the scheduler to assign replicas to hosts; running containers are kept", null));
            conditions.add(new Condition(Condition.DEGRADED, "False", "AsExpected", "", null));
        } else {
            conditions.add(new Condition(Condition.READY, allRunning ? "True" : "False",
                    allRunning ? readyReason(pass.services()) : "NotAllRunning", readyMessage(pass), null));
            boolean progressing = pass.inProgress() || !allRunning || pass.progress().isPresent();
            conditions.add(new Condition(Condition.PROGRESSING, progressing ? "True" : "False",
                    !progressing ? "Converged" : pass.progress().map(Progress::reason).orElse("Reconciling"),
                    !progressing ? "" : pass.progress().map(Progress::message).orElse("applying changes"), null));
            conditions.add(new Condition(Condition.DEGRADED, "False", "AsExpected", "", null));
        }
        List<Condition> timed = new ArrayList<>();
        for (Condition c : conditions) {
            Condition before = previous.flatMap(p -> p.condition(c.type())).orElse(null);
            timed.add(c.since(before, now));
        }
        // Cleared once a pass fails no more: an error the stack recovered from is history (the events keep it), and
        // left in the status it reads as the reason of today's state.
        String lastError = pass.failure().map(f -> f.reason() + ": " + f.message()).orElse(null);
        String since = previous.map(ObjectStatus::since).orElse(now);
        return new ObjectStatus(host, pass.revision(), timed, pass.services(), lastError, since, pass.replicas());
    }

    /**
     * Why a host is ready: AllRunning, or {@value #COMPLETED} when some replicas are one-shot ones left exited 0. Those
     * count as ready (Compose's semantics), but a long-running server with restart "no" that a reboot or docker stop
     * ended with exit 0 looks the same, so the reason does not claim everything runs.
     */
    private static String readyReason(Map<String, ServiceCount> services) {
        return services.values().stream().anyMatch(c -> c.completed() > 0) ? COMPLETED : "AllRunning";
    }

    private static String readyMessage(Pass pass) {
        String counts = readyMessage(pass.services());
        if (pass.notRemovable().isEmpty()) {
            return counts;
        }
        return counts + (counts.isEmpty() ? "" : "; ") + String.join("; ", pass.notRemovable());
    }

    private static String readyMessage(Map<String, ServiceCount> services) {
        StringBuilder text = new StringBuilder();
        new java.util.TreeMap<>(services).forEach((name, c) -> {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(name).append(' ').append(c.running()).append('/').append(c.desired());
            if (c.completed() > 0) {
                text.append(" (").append(c.completed()).append(" completed, exit 0)");
            }
        });
        return text.toString();
    }
}
