package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.crds.stack.UpdateSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A one-shot service (restart "no" / on-failure) updates with recreate: start-first would re-run a job that exits. */
class OneShotUpdateValidationTest {
    private static String web(String fields) {
        return Manifests.MINIMAL + fields;
    }

    @Test
    void aDeclaredStartFirstOnAOneShotServiceIsAnErrorAtTheStrategy() {
        assertEquals(List.of("x.yaml:11:19: spec.services[0].update.strategy: start-first waits for the replacement to "
                        + "run, but restart \"no\" makes a one-shot service whose containers exit; use strategy: recreate, "
                        + "or a restart that keeps it running (unless-stopped)"),
                Manifests.errors(web("      restart: \"no\"\n      update:\n        strategy: start-first\n")));
        assertEquals(List.of(), Manifests.errors(web("      restart: unless-stopped\n      update:\n        strategy: start-first\n")));
    }

    @Test
    void aOneShotServiceWithAHealthCheckUpdatesWithRecreate() {
        String check = "      healthcheck:\n        test: [CMD, \"true\"]\n";
        assertEquals(UpdateSpec.START_FIRST, Manifests.validStack(web(check)).services().get(0).effectiveStrategy());
        assertEquals(UpdateSpec.RECREATE, Manifests.validStack(web(check + "      restart: on-failure\n"))
                .services().get(0).effectiveStrategy());
    }
}
