package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import java.util.HashSet;
import java.util.Set;

/**
 * A service cannot join Docker's own {@code bridge}, {@code host} or {@code none} networks by name. Berth joins every
 * network with the service's name as a Docker alias, and Docker allows aliases only on user-defined networks; {@code
 * host} and {@code none} cannot be combined with other networks at all. Accepted, such a stack would fail at every
 * container start on every pass; refused, the author learns it on apply. (Joining {@code bridge} without aliases was
 * the alternative: it would give nothing the stack's own default network does not, and names would not resolve there.)
 * A stack network of the same name in spec.networks is the stack's own (prefixed in Docker), and fine.
 */
public final class DockerBuiltInNetworkCheck implements SpecCheck<StackSpec> {
    private static final Set<String> BUILT_IN = Set.of("bridge", "host", "none");

    /** Docker's own networks, which a service cannot join by name (see the class comment). */
    public static boolean builtIn(String network) {
        return BUILT_IN.contains(network);
    }

    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        Set<String> own = new HashSet<>();
        spec.networks().forEach(n -> own.add(n.name()));
        for (int i = 0; i < spec.services().size(); i++) {
            java.util.List<String> networks = spec.services().get(i).networks();
            for (int n = 0; n < networks.size(); n++) {
                String network = networks.get(n);
                if (BUILT_IN.contains(network) && !own.contains(network)) {
                    context.error("spec.services[" + i + "].networks[" + n + "]", "\"" + network + "\" is Docker's "
                            + "built-in network, which takes no per-container names (Berth gives every container its "
                            + "service's name)" + ("bridge".equals(network) ? "" : " and joins no other network")
                            + "; remove it (the stack's default network reaches outside like bridge; ports publish on "
                            + "the host), or name a user-defined network (docker network create NAME)");
                }
            }
        }
    }
}
