package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.NetworkPlan;
import java.util.Set;

/** One idempotent step towards the desired state; {@link #describe()} is what {@code berth diff} prints. */
public sealed interface StackAction {
    String describe();

    record CreateNetwork(NetworkPlan plan) implements StackAction {
        @Override
        public String describe() {
            return "create network " + plan.name() + " (driver " + plan.driver() + ")";
        }
    }

    record RemoveNetwork(String id, String name, String reason) implements StackAction {
        @Override
        public String describe() {
            return "remove network " + name + " (" + reason + ")";
        }
    }

    /**
     * Create and start. With {@code replaces} (a running container of the replica whose spec changed, recreate
     * strategy): a safe recreate. The new container is created first under {@code <name>-next} (or the next stand-in
     * name while Docker holds that one for a dead container, see {@link HeldNames}), so a spec Docker
     * refuses at create leaves the old one serving; then the old one is stopped (freeing its host ports) and the new
     * one started; if that start fails, the new one is removed and the old one started again. Only after a good
     * start is the old one removed and the new one renamed into place.
     */
    record CreateContainer(ContainerPlan plan, Replaced replaces, Set<String> after) implements StackAction {
        /**
         * @param after the services this one depends on: a create of theirs in the same pass must have finished first
         *              (otherwise creates without a predecessor run side by side, see StackApplier)
         */
        public CreateContainer {
            after = after == null ? Set.of() : Set.copyOf(after);
        }

        public CreateContainer(ContainerPlan plan) {
            this(plan, null, Set.of());
        }

        public CreateContainer(ContainerPlan plan, Replaced replaces) {
            this(plan, replaces, Set.of());
        }

        @Override
        public String describe() {
            return replaces == null ? "create container " + plan.name() + " (image " + plan.image() + ")"
                    : "replace container " + replaces.name() + " (" + replaces.reason() + "): create the new one (image "
                    + plan.image() + ") first";
        }
    }

    /** The running container a {@link CreateContainer} replaces once its replacement was created and started. */
    record Replaced(String id, String name, String reason) {
    }

    record StartContainer(String id, String name) implements StackAction {
        @Override
        public String describe() {
            return "start container " + name;
        }
    }

    /**
     * A start-first update: take the old container out of service and remove it once {@code drainMillis} have passed
     * (in a later pass when they have not: nothing sleeps). {@code replacement} is null when the replica moved to
     * another host: routes stopped using it when the move began, and the drain lets requests in flight finish.
     */
    record RetireContainer(String id, String name, long drainMillis, String replacement) implements StackAction {
        @Override
        public String describe() {
            return "retire container " + name + " after " + drainMillis + " ms ("
                    + (replacement == null ? "its replica moved to another host" : "replaced by healthy " + replacement) + ")";
        }
    }

    /** The healthy replacement takes its predecessor's name, so names stay {@code <stack>-<service>-<n>}. */
    record RenameContainer(String id, String from, String to) implements StackAction {
        @Override
        public String describe() {
            return "rename container " + from + " to " + to;
        }
    }

    /** Nothing to do now, but the pass is not finished: look again shortly. */
    record Wait(String name, String why) implements StackAction {
        @Override
        public String describe() {
            return "wait for " + name + ": " + why;
        }
    }

    /** The replacement did not become healthy in time: remove it, keep the old one, report RolloutFailed. */
    record AbortRollout(String id, String name, String why) implements StackAction {
        @Override
        public String describe() {
            return "roll back: remove " + name + " (" + why + "), the old container keeps serving";
        }
    }

    record RemoveContainer(String id, String name, String reason) implements StackAction {
        @Override
        public String describe() {
            return "remove container " + name + " (" + reason + ")";
        }
    }

    /**
     * Remove a container Docker left {@code dead} or {@code removing} (see {@link HeldNames}). Docker may refuse again
     * (a mount still busy):
     * that is reported ({@link ApplyReport#leftovers()}) and does not stop the pass, since the replica no longer
     * depends on it; the next pass tries again.
     */
    record RemoveLeftover(String id, String name, String state) implements StackAction {
        @Override
        public String describe() {
            return "remove container " + name + " (" + state + ", not removed by Docker yet; its replica does not wait for it)";
        }
    }
}
