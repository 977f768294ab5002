package dev.berth.operator.overlay;

import dev.berth.reconcilers.link.LinkAction;
import dev.berth.reconcilers.link.LinkActionException;
import dev.berth.reconcilers.link.LinkDriver;
import dev.berth.reconcilers.link.LinkState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Counts kernel link operations by kind of action and outcome ({@code berth_link_operations_total}). A failed
 * batch counts the action that failed as an error and the ones before it as done.
 */
final class CountingLinkDriver implements LinkDriver {
    private final LinkDriver delegate;
    private final MeterRegistry registry;

    CountingLinkDriver(LinkDriver delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    @Override
    public LinkState read() {
        return delegate.read();
    }

    @Override
    public void apply(List<LinkAction> actions) {
        try {
            delegate.apply(actions);
            actions.forEach(a -> count(a, "success"));
        } catch (LinkActionException e) {
            int failed = actions.indexOf(e.action());
            for (int i = 0; i < actions.size(); i++) {
                if (i < failed) {
                    count(actions.get(i), "success");
                } else if (i == failed) {
                    count(actions.get(i), "error");
                }
            }
            throw e;
        }
    }

    private void count(LinkAction action, String outcome) {
        Counter.builder("berth.link.operations").tag("operation", operation(action)).tag("outcome", outcome)
                .description("Kernel link operations (VXLAN devices, FDB and neighbour entries)").register(registry)
                .increment();
    }

    /** create_vxlan, append_fdb, ...: from the action's type, a fixed set. */
    static String operation(LinkAction action) {
        return action.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
