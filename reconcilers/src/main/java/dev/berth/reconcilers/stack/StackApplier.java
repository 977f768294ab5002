package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.Docker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs actions in order and stops at the first failure: later actions usually depend on earlier ones (a container
 * needs its network), and the next pass plans again from what Docker then has.
 */
public final class StackApplier {
    private static final Logger log = LoggerFactory.getLogger(StackApplier.class);

    private final Docker docker;

    public StackApplier(Docker docker) {
        this.docker = Objects.requireNonNull(docker);
    }

    public ApplyReport apply(List<StackAction> actions) {
        List<StackAction> done = new ArrayList<>();
        for (StackAction action : actions) {
            try {
                run(action);
                done.add(action);
            } catch (DockerActionException e) {
                log.warn("{} failed: {} {}", action.describe(), e.reason(), e.getMessage());
                return new ApplyReport(done, Optional.of(action), Optional.of(e));
            }
        }
        return new ApplyReport(done, Optional.empty(), Optional.empty());
    }

    /** The drain of a start-first update: the old container keeps serving what is in flight. */
    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerActionException(DockerActionException.DOCKER_ERROR, "interrupted while draining");
        }
    }

    private void run(StackAction action) {
        log.info("{}", action.describe());
        // Java 17 has no pattern switch; the interface is sealed, so this list is complete.
        if (action instanceof StackAction.CreateNetwork a) {
            docker.createNetwork(a.plan());
        } else if (action instanceof StackAction.RemoveNetwork a) {
            docker.removeNetwork(a.id(), a.name());
        } else if (action instanceof StackAction.CreateContainer a) {
            docker.createAndStart(a.plan());
        } else if (action instanceof StackAction.StartContainer a) {
            docker.start(a.id());
        } else if (action instanceof StackAction.RemoveContainer a) {
            docker.remove(a.id());
        } else if (action instanceof StackAction.RetireContainer a) {
            sleep(a.drainMillis());
            docker.remove(a.id());
        } else if (action instanceof StackAction.RenameContainer a) {
            docker.rename(a.id(), a.to());
        } else if (action instanceof StackAction.Wait) {
            log.debug("nothing to do yet");
        } else if (action instanceof StackAction.AbortRollout a) {
            String health = docker.lastHealthOutput(a.id());
            docker.remove(a.id());
            throw new DockerActionException("RolloutFailed", "update rolled back: " + a.name() + " " + a.why()
                    + (health.isEmpty() ? "" : "; last health check: " + health));
        } else {
            throw new IllegalStateException("unknown action " + action);
        }
    }
}
