package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerGateway;
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

    private final DockerGateway docker;

    public StackApplier(DockerGateway docker) {
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

    private void run(StackAction action) {
        log.info("{}", action.describe());
        // Java 17 has no pattern switch; the interface is sealed, so this list is complete.
        if (action instanceof StackAction.CreateNetwork a) {
            docker.createNetwork(a.plan());
        } else if (action instanceof StackAction.RemoveNetwork a) {
            docker.removeNetwork(a.id());
        } else if (action instanceof StackAction.CreateContainer a) {
            docker.createAndStart(a.plan());
        } else if (action instanceof StackAction.StartContainer a) {
            docker.start(a.id());
        } else if (action instanceof StackAction.RemoveContainer a) {
            docker.remove(a.id());
        } else {
            throw new IllegalStateException("unknown action " + action);
        }
    }
}
