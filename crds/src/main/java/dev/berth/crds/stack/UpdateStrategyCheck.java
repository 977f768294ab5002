package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

/**
 * A one-shot service (restart "no" or on-failure) cannot declare a start-first update: its replacement is meant to
 * exit, which start-first takes for a failure (removed and created again on every retry, re-running the job), and its
 * old container may still run its job next to the new one. Such a service updates with recreate
 * ({@link ServiceSpec#effectiveStrategy()}).
 */
public final class UpdateStrategyCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec s = spec.services().get(i);
            if (s.oneShot() && s.update() != null && UpdateSpec.START_FIRST.equals(s.update().strategy())) {
                context.error("spec.services[" + i + "].update.strategy", "start-first waits for the replacement to "
                        + "run, but restart \"" + s.restart() + "\" makes a one-shot service whose containers exit; "
                        + "use strategy: recreate, or a restart that keeps it running (unless-stopped)");
            }
        }
    }
}
