package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import dev.berth.crds.secret.DataRules;

import java.util.HashMap;

/**
 * A variable has one value: a {@code secretEnv} name may appear once, and not also in {@code env} (which of the two
 * would win is not something a reader of the manifest should have to know).
 */
public final class SecretEnvCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int s = 0; s < spec.services().size(); s++) {
            ServiceSpec service = spec.services().get(s);
            String servicePath = "spec.services[" + s + "]";
            var first = new HashMap<String, String>();
            for (int i = 0; i < service.secretEnv().size(); i++) {
                SecretEnv variable = service.secretEnv().get(i);
                String path = servicePath + ".secretEnv[" + i + "]";
                String earlier = first.putIfAbsent(variable.name(), path);
                if (earlier != null) {
                    context.error(path + ".name", "duplicate secretEnv name \"" + variable.name() + "\" (first at line "
                            + context.line(earlier + ".name") + ")");
                } else if (service.env().containsKey(variable.name())) {
                    context.error(path + ".name", "variable " + variable.name() + " is also set in env (line "
                            + context.lineOfKey(servicePath + ".env", variable.name()) + "); a variable has one "
                            + "value, so remove one of them");
                }
                if (variable.secretKeyRef() != null && variable.secretKeyRef().key() != null) {
                    DataRules.keyProblem(variable.secretKeyRef().key())
                            .ifPresent(p -> context.error(path + ".secretKeyRef.key", p));
                }
            }
        }
    }
}
