package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.Deadline;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.Docker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs actions in order and stops at the first Docker failure: later actions usually depend on earlier ones (a
 * container needs its network), and the next pass plans again from what Docker then has. Nothing here waits: an
 * old container whose drain has not ended, and the rename of its replacement, are left for a later pass; so is
 * everything once the pass's deadline has passed. A rolled-back update is reported as a failure and the actions
 * after it still run (they concern other replicas and services).
 *
 * <p>One exception to "in order": consecutive creates that replace nothing (new replicas) run side by side on the
 * {@code creates} executor, as Swarm's agents start tasks, unless one depends on a service created before it in the
 * same run (then it starts a new run, after the first ended). A failure among them is reported as the first in plan
 * order; the others in the run still finish, and nothing after the run starts.
 */
public final class StackApplier {
    private static final Logger log = LoggerFactory.getLogger(StackApplier.class);

    private final Docker docker;
    private final Executor creates;

    /** Every action in turn, creates too. */
    public StackApplier(Docker docker) {
        this(docker, Runnable::run);
    }

    /** @param creates runs the creates of a run side by side (its size bounds how many Docker sees at once) */
    public StackApplier(Docker docker, Executor creates) {
        this.docker = Objects.requireNonNull(docker);
        this.creates = Objects.requireNonNull(creates);
    }

    /** @param drainLeft how long an old container still drains before it may be removed (ZERO: now) */
    public ApplyReport apply(List<StackAction> actions, Deadline deadline,
                             Function<StackAction.RetireContainer, Duration> drainLeft) {
        List<StackAction> done = new ArrayList<>();
        List<ApplyReport.Deferred> deferred = new ArrayList<>();
        Optional<ApplyReport.Failure> failure = Optional.empty();
        List<ApplyReport.Leftover> leftovers = new ArrayList<>();
        // Replacements (by their -next name) whose predecessor still drains, and for how long: they keep their name.
        Map<String, Duration> draining = new HashMap<>();
        for (int i = 0; i < actions.size(); i++) {
            StackAction action = actions.get(i);
            if (action instanceof StackAction.Wait) {
                continue;
            }
            if (deadline.expired()) {
                log.warn("pass deadline reached with {} action(s) left; the next pass goes on", actions.size() - i);
                actions.subList(i, actions.size()).stream().filter(a -> !(a instanceof StackAction.Wait))
                        .forEach(a -> deferred.add(new ApplyReport.Deferred(a, Duration.ZERO, "deadline reached")));
                break;
            }
            if (action instanceof StackAction.RetireContainer retire) {
                Duration left = drainLeft.apply(retire);
                if (left.compareTo(Duration.ZERO) > 0) {
                    log.info("{}: draining, {} ms left", retire.name(), left.toMillis());
                    deferred.add(new ApplyReport.Deferred(retire, left, "draining"));
                    draining.put(retire.replacement(), left);
                    continue;
                }
            }
            if (action instanceof StackAction.RenameContainer rename && draining.containsKey(rename.from())) {
                deferred.add(new ApplyReport.Deferred(rename, draining.get(rename.from()), "its predecessor drains"));
                continue;
            }
            try {
                if (action instanceof StackAction.RemoveLeftover leftover) {
                    removeLeftover(leftover).ifPresentOrElse(leftovers::add, () -> done.add(leftover));
                    continue;
                }
                if (isNewReplica(action)) {
                    int end = endOfRun(actions, i);
                    Optional<ApplyReport.Failure> failed = createRun(actions.subList(i, end), deadline, done,
                            deferred, leftovers);
                    if (failed.isPresent()) {
                        return new ApplyReport(done, failure.or(() -> failed), deferred, leftovers);
                    }
                    i = end - 1;
                    continue;
                }
                if (action instanceof StackAction.RenameContainer) {
                    log.info("{}", action.describe());
                    Optional<ApplyReport.Leftover> held = runAroundHeldName(action);
                    held.ifPresentOrElse(leftovers::add, () -> done.add(action));
                    continue;
                }
                Optional<ApplyReport.Failure> rolledBack = run(action);
                done.add(action);
                if (rolledBack.isPresent() && failure.isEmpty()) {
                    failure = rolledBack;
                }
            } catch (DockerActionException e) {
                log.warn("{} failed: {} {}", action.describe(), e.reason(), e.getMessage());
                return new ApplyReport(done, failure.or(() -> Optional.of(new ApplyReport.Failure(action, e.reason(),
                        e.getMessage()))), deferred, leftovers);
            }
        }
        return new ApplyReport(done, failure, deferred, leftovers);
    }

    private static boolean isNewReplica(StackAction action) {
        return action instanceof StackAction.CreateContainer c && c.replaces() == null;
    }

    /**
     * The end (exclusive) of the run of new replicas that starts at {@code start}: it goes on over new replicas (and
     * waits, which do nothing) until an action of another kind or a create that depends on a service created in it.
     */
    private static int endOfRun(List<StackAction> actions, int start) {
        Set<String> services = new HashSet<>();
        int end = start;
        while (end < actions.size()) {
            StackAction next = actions.get(end);
            if (next instanceof StackAction.Wait) {
                end++;
                continue;
            }
            if (!isNewReplica(next)) {
                break;
            }
            StackAction.CreateContainer create = (StackAction.CreateContainer) next;
            if (create.after().stream().anyMatch(services::contains)) {
                break;
            }
            services.add(create.plan().service());
            end++;
        }
        return end;
    }

    /**
     * Creates and starts the run's new replicas side by side and waits for all of them. Returns the first failure in
     * plan order, if any; what succeeded is in {@code done}, held names in {@code leftovers}. Once one create failed or
     * the deadline passed, the creates not yet begun are deferred, not run: as a serial pass ends at its first
     * failure, a dockerd that hangs costs one round of timeouts, not one per replica.
     */
    private Optional<ApplyReport.Failure> createRun(List<StackAction> run, Deadline deadline, List<StackAction> done,
                                                    List<ApplyReport.Deferred> deferred,
                                                    List<ApplyReport.Leftover> leftovers) {
        List<StackAction> started = new ArrayList<>();
        List<CompletableFuture<Optional<Optional<ApplyReport.Leftover>>>> results = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        // The pass's log context (the stack's key) goes with each create to the thread that runs it.
        Map<String, String> context = MDC.getCopyOfContextMap();
        for (StackAction action : run) {
            if (action instanceof StackAction.Wait) {
                continue;
            }
            started.add(action);
            results.add(CompletableFuture.supplyAsync(() -> {
                Map<String, String> before = MDC.getCopyOfContextMap();
                setContext(context);
                try {
                    if (stop.get() || deadline.expired()) {
                        return Optional.empty(); // not begun
                    }
                    log.info("{}", action.describe());
                    return Optional.of(runAroundHeldName(action));
                } catch (RuntimeException | Error e) {
                    stop.set(true);
                    throw e;
                } finally {
                    setContext(before);
                }
            }, creates));
        }
        Optional<ApplyReport.Failure> first = Optional.empty();
        RuntimeException unexpected = null;
        for (int k = 0; k < started.size(); k++) {
            StackAction action = started.get(k);
            try {
                Optional<Optional<ApplyReport.Leftover>> ran = results.get(k).join();
                if (ran.isEmpty()) {
                    deferred.add(new ApplyReport.Deferred(action, Duration.ZERO,
                            stop.get() ? "an earlier create of the pass failed" : "deadline reached"));
                    continue;
                }
                ran.get().ifPresent(leftovers::add);
                done.add(action); // a create under a stand-in name still created the replica
            } catch (CompletionException e) {
                if (e.getCause() instanceof DockerActionException failed) {
                    log.warn("{} failed: {} {}", action.describe(), failed.reason(), failed.getMessage());
                    if (first.isEmpty()) {
                        first = Optional.of(new ApplyReport.Failure(action, failed.reason(), failed.getMessage()));
                    }
                } else if (e.getCause() instanceof Error error) {
                    throw error;
                } else if (unexpected == null) {
                    // Thrown as a serial pass would, once every create of the run has ended.
                    unexpected = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (unexpected != null) {
            throw unexpected;
        }
        return first;
    }

    private static void setContext(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }

    /**
     * Docker may keep a replica's name for a container whose remove failed without listing it, so the planner cannot
     * know (see HeldNames). A create under that name runs the replica under a stand-in name instead, and a rename back
     * to it (which already tried to remove the holder) leaves the replica running under its stand-in; either way the
     * held name is reported, not a failure, and the next pass tries again.
     *
     * @param action a create without a predecessor, or a rename
     * @return empty when the action ran and its name was not held
     */
    private Optional<ApplyReport.Leftover> runAroundHeldName(StackAction action) {
        try {
            if (action instanceof StackAction.CreateContainer a) {
                docker.createAndStart(a.plan());
            } else if (action instanceof StackAction.RenameContainer a) {
                docker.rename(a.id(), a.to());
            }
            return Optional.empty();
        } catch (DockerActionException e) {
            if (!DockerActionException.NOT_REMOVABLE.equals(e.reason())) {
                throw e;
            }
            String name = action instanceof StackAction.RenameContainer r ? r.to()
                    : ((StackAction.CreateContainer) action).plan().name();
            if (action instanceof StackAction.CreateContainer a) {
                createAndStartStandIn(a.plan());
            }
            log.warn("container name {} is held by a container Docker cannot remove; the replica runs under a stand-in"
                    + " name: {}", name, e.getMessage());
            return Optional.of(new ApplyReport.Leftover("", name, e.getMessage()));
        }
    }

    private void createAndStartStandIn(dev.berth.reconcilers.docker.ContainerPlan plan) {
        for (int n = 1; ; n++) {
            try {
                docker.createAndStart(plan.withName(StackNames.standIn(plan.name(), n)));
                return;
            } catch (DockerActionException e) {
                if (n >= HeldNames.MAX_STAND_INS || !DockerActionException.NOT_REMOVABLE.equals(e.reason())) {
                    throw e;
                }
            }
        }
    }

    /** Empty when Docker removed it; else what Docker said, for status (the replica runs under a stand-in name). */
    private Optional<ApplyReport.Leftover> removeLeftover(StackAction.RemoveLeftover action) {
        log.info("{}", action.describe());
        try {
            docker.remove(action.id());
            return Optional.empty();
        } catch (DockerActionException e) {
            if (DockerActionException.DOCKER_UNAVAILABLE.equals(e.reason())) {
                throw e; // says nothing about the container: the pass ends as for any other action
            }
            log.warn("container {} cannot be removed by Docker ({}), retried in {} s: {}", action.name(), e.reason(),
                    ApplyReport.LEFTOVER_RETRY.toSeconds(), e.getMessage());
            return Optional.of(new ApplyReport.Leftover(action.id(), action.name(), e.getMessage()));
        }
    }

    /**
     * A safe recreate ({@link StackAction.CreateContainer}): what Docker refuses at create (a bad option, a missing
     * image or bind source) fails before the old container is touched. What only a start shows (a host port another
     * process holds, a missing device) needs the old one stopped first, since it may hold the very port the new one
     * binds: the new one is removed and the old one started again, so the replica is down for the length of one
     * failed start per retry, not until someone fixes the spec.
     */
    private void replace(dev.berth.reconcilers.docker.ContainerPlan plan, StackAction.Replaced old) {
        String id = createStandIn(plan);
        try {
            docker.stop(old.id());
            docker.start(id);
        } catch (DockerActionException e) {
            log.warn("{}: the replacement did not start, starting the old container again: {}", plan.name(),
                    e.getMessage());
            restoreOld(old, id);
            throw new DockerActionException(e.reason(), e.getMessage() + "; " + old.name()
                    + " keeps running the previous spec", e);
        }
        docker.remove(old.id());
        docker.rename(id, plan.name());
    }

    /**
     * The old container runs again whatever else fails here: the replacement's removal is best effort (a later pass
     * removes a leftover -next), and a failed restart of the old one is the error the caller sees.
     */
    private void restoreOld(StackAction.Replaced old, String replacement) {
        try {
            docker.remove(replacement);
        } catch (RuntimeException e) {
            log.warn("{}: cannot remove the replacement that did not start (a later pass will): {}", old.name(),
                    e.getMessage());
        }
        docker.start(old.id());
    }

    /**
     * Creates the replacement under {@code <name>-next}, or the next stand-in name when Docker holds that one for a
     * dead container it cannot remove (an earlier replace cut off by a dockerd crash): the old container keeps serving
     * either way, and the rename at the end (or the planner's, after a crash) gives the replica its name.
     */
    private String createStandIn(dev.berth.reconcilers.docker.ContainerPlan plan) {
        for (int n = 1; ; n++) {
            try {
                return docker.create(plan.withName(StackNames.standIn(plan.name(), n)));
            } catch (DockerActionException e) {
                if (n >= HeldNames.MAX_STAND_INS || !DockerActionException.NOT_REMOVABLE.equals(e.reason())) {
                    throw e;
                }
                log.info("{}: {}; trying the next stand-in name", plan.name(), e.getMessage());
            }
        }
    }

    /** @return a failure that is a result (an update rolled back), not an error of the action */
    private Optional<ApplyReport.Failure> run(StackAction action) {
        log.info("{}", action.describe());
        // Java 17 has no pattern switch; the interface is sealed, so this list is complete.
        if (action instanceof StackAction.CreateNetwork a) {
            docker.createNetwork(a.plan());
        } else if (action instanceof StackAction.RemoveNetwork a) {
            docker.removeNetwork(a.id(), a.name());
        } else if (action instanceof StackAction.CreateContainer a && a.replaces() != null) {
            replace(a.plan(), a.replaces());
        } else if (action instanceof StackAction.CreateContainer a) {
            docker.createAndStart(a.plan());
        } else if (action instanceof StackAction.StartContainer a) {
            docker.start(a.id());
        } else if (action instanceof StackAction.RemoveContainer a) {
            docker.remove(a.id());
        } else if (action instanceof StackAction.RemoveLeftover a) {
            docker.remove(a.id());
        } else if (action instanceof StackAction.RetireContainer a) {
            docker.remove(a.id());
        } else if (action instanceof StackAction.RenameContainer a) {
            docker.rename(a.id(), a.to());
        } else if (action instanceof StackAction.AbortRollout a) {
            String health = docker.lastHealthOutput(a.id());
            docker.remove(a.id());
            return Optional.of(new ApplyReport.Failure(action, "RolloutFailed", "update rolled back: " + a.name() + " "
                    + a.why() + (health.isEmpty() ? "" : "; last health check: " + health)));
        } else if (!(action instanceof StackAction.Wait)) {
            throw new IllegalStateException("unknown action " + action);
        }
        return Optional.empty();
    }
}
