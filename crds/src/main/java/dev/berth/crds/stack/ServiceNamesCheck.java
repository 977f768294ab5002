package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import java.util.HashMap;
import java.util.Map;

/**
 * The names a stack's services are reached and found by. An alias answers like a service's name, so it cannot be
 * another service's name or another service's alias (one name, two services: which one answers?). A containerName is
 * one Docker name, and Docker names are unique on a host: one container of the service per host (replicas 0 or 1,
 * global or not), one service per name in the stack, and no start-first update (the replacement would need the name
 * while the old container still holds it).
 */
public final class ServiceNamesCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        Map<String, String> serviceOf = new HashMap<>();
        spec.services().forEach(s -> serviceOf.put(s.name(), s.name()));
        Map<String, String> aliasPath = new HashMap<>();
        Map<String, String> containerNamePath = new HashMap<>();
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec s = spec.services().get(i);
            String at = "spec.services[" + i + "]";
            for (int a = 0; a < s.aliases().size(); a++) {
                String alias = s.aliases().get(a);
                String path = at + ".aliases[" + a + "]";
                String owner = serviceOf.get(alias);
                if (owner != null && !owner.equals(s.name())) {
                    context.error(path, "alias \"" + alias + "\" is the name of service \"" + owner + "\"");
                } else if (owner == null) {
                    String first = aliasPath.putIfAbsent(alias, path);
                    if (first != null && !first.startsWith(at + ".")) {
                        context.error(path, "alias \"" + alias + "\" is already an alias of another service (line "
                                + context.line(first) + ")");
                    }
                }
            }
            if (s.containerName() == null) {
                continue;
            }
            String path = at + ".containerName";
            if (s.replicas() > 1) {
                context.error(path, "containerName names one container per host, but replicas is " + s.replicas()
                        + " (Docker names are unique on a host); use replicas: 1, or remove containerName");
            }
            if (s.update() != null && UpdateSpec.START_FIRST.equals(s.update().strategy())) {
                context.error(at + ".update.strategy", "start-first needs a second container next to the old one, "
                        + "and containerName gives the service only one name; use strategy: recreate");
            }
            String first = containerNamePath.putIfAbsent(s.containerName(), path);
            if (first != null) {
                context.error(path, "containerName \"" + s.containerName() + "\" is already used by another service "
                        + "(line " + context.line(first) + ")");
            }
        }
    }
}
