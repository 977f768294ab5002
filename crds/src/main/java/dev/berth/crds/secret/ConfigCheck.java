package dev.berth.crds.secret;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

/**
 * A Config's keys are file names, each value at most {@link SecretSpec#MAX_VALUE_BYTES} and the whole at most
 * {@link DataRules#MAX_TOTAL_BYTES}: the same limits as a Secret, so moving a file between the two never surprises.
 */
public final class ConfigCheck implements SpecCheck<ConfigSpec> {
    private static final String DATA = "spec.data";

    @Override
    public Class<ConfigSpec> specType() {
        return ConfigSpec.class;
    }

    @Override
    public void check(ConfigSpec spec, CheckContext context) {
        if (spec.data().isEmpty()) {
            context.error(DATA, "a Config needs at least one key (a file name) with its content");
            return;
        }
        DataCheck.keys(spec.data(), DATA, context);
        long total = 0;
        for (var e : spec.data().entrySet()) {
            int bytes = DataRules.utf8Length(e.getValue());
            DataCheck.plainValue(DATA, e.getKey(), bytes, context);
            total += DataRules.utf8Length(e.getKey()) + bytes;
        }
        if (total > DataRules.MAX_TOTAL_BYTES) {
            context.error(DATA, "the files take " + total + " bytes; the limit for one Config is "
                    + DataRules.bytes(DataRules.MAX_TOTAL_BYTES) + ": split it into several Configs");
        }
    }
}
