package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * dependsOn names services of the same stack, the dependencies have no cycle (nothing could start), and
 * service_completed_successfully names a one-shot service (restart no or on-failure): Docker starts any other again,
 * so it never stays completed and the dependant would wait for ever.
 */
public final class DependsOnCheck implements SpecCheck<StackSpec> {

    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        Set<String> names = new HashSet<>();
        Map<String, ServiceSpec> byName = new HashMap<>();
        spec.services().forEach(s -> {
            names.add(s.name());
            byName.put(s.name(), s);
        });
        Map<String, List<String>> edges = new HashMap<>();
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec s = spec.services().get(i);
            for (int d = 0; d < s.dependsOn().size(); d++) {
                String target = s.dependsOn().get(d).service();
                String path = "spec.services[" + i + "].dependsOn[" + d + "].service";
                if (!names.contains(target)) {
                    context.error(path, "service \"" + target + "\" is not a service of this stack");
                } else if (target.equals(s.name())) {
                    context.error(path, "a service cannot depend on itself");
                } else if (DependsOn.COMPLETED.equals(s.dependsOn().get(d).condition())
                        && !byName.get(target).oneShot()) {
                    context.error("spec.services[" + i + "].dependsOn[" + d + "].condition", DependsOn.COMPLETED
                            + " needs service \"" + target + "\" to have restart \"no\" or on-failure (it has "
                            + byName.get(target).restart() + ", so it is started again and never stays completed)");
                }
            }
            edges.put(s.name(), s.dependsOn().stream().map(DependsOn::service).toList());
        }
        for (int i = 0; i < spec.services().size(); i++) {
            String start = spec.services().get(i).name();
            if (reaches(start, start, edges, new HashSet<>())) {
                context.error("spec.services[" + i + "].dependsOn", "dependency cycle through service \"" + start + "\"");
                return;
            }
        }
    }

    private static boolean reaches(String from, String target, Map<String, List<String>> edges, Set<String> seen) {
        for (String next : edges.getOrDefault(from, List.of())) {
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next) && reaches(next, target, edges, seen)) {
                return true;
            }
        }
        return false;
    }
}
