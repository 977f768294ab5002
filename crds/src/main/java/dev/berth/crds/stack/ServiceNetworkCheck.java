package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

import java.util.List;

/** A service may only join networks its stack declares; anything else would be a network Berth does not own. */
public final class ServiceNetworkCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        List<String> declared = spec.networks().stream().map(StackNetwork::name).toList();
        String declaredText = declared.isEmpty() ? "none" : String.join(", ", declared);
        for (int s = 0; s < spec.services().size(); s++) {
            List<String> networks = spec.services().get(s).networks();
            for (int n = 0; n < networks.size(); n++) {
                if (!declared.contains(networks.get(n))) {
                    context.error("spec.services[" + s + "].networks[" + n + "]", "network \"" + networks.get(n)
                            + "\" is not declared in spec.networks (declared: " + declaredText + ")");
                }
            }
        }
    }
}
