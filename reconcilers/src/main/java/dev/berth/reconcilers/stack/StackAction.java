package dev.berth.reconcilers.stack;

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

    /** Create and start. */
    record CreateContainer(ContainerPlan plan) implements StackAction {
        @Override
        public String describe() {
            return "create container " + plan.name() + " (image " + plan.image() + ")";
        }
    }

    record StartContainer(String id, String name) implements StackAction {
        @Override
        public String describe() {
            return "start container " + name;
        }
    }

    record RemoveContainer(String id, String name, String reason) implements StackAction {
        @Override
        public String describe() {
            return "remove container " + name + " (" + reason + ")";
        }
    }
}
