package dev.berth.crds.stack;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.Resource;
import dev.berth.crds.SetCheck;
import dev.berth.crds.SetCheckContext;
import java.util.List;

/**
 * No two Stacks keep the same {@code containerName}. Docker names are unique on a host, so two such services meeting
 * on one host would leave one of them in NameConflict with backoff, found only at run time; even when their
 * placements keep them apart today, the pair is a mistake waiting for a host to join or a replica to move. A clash
 * between two Stacks being applied is reported once, at the later one
 * (names within one Stack: {@link ServiceNamesCheck}).
 */
public final class ContainerNameSetCheck implements SetCheck {
    @Override
    public String kind() {
        return ObjectKey.STACK;
    }

    @Override
    public void check(List<Resource> applying, List<Resource> stored, SetCheckContext context) {
        SetCheck.eachPair(applying, stored, context, ContainerNameSetCheck::compare);
    }

    private static void compare(Resource stack, Resource other, boolean showWhere, SetCheckContext context) {
        List<ServiceSpec> services = stack.spec(StackSpec.class).services();
        List<ServiceSpec> others = other.spec(StackSpec.class).services();
        for (int s = 0; s < services.size(); s++) {
            String name = services.get(s).containerName();
            if (name == null) {
                continue;
            }
            for (int o = 0; o < others.size(); o++) {
                if (name.equals(others.get(o).containerName())) {
                    String path = "spec.services[" + s + "].containerName";
                    String where = showWhere
                            ? " (" + context.where(other, "spec.services[" + o + "].containerName") + ")" : "";
                    context.error(stack, path, "containerName \"" + name + "\" is already used by service \""
                            + others.get(o).name() + "\" of stack \"" + other.metadata().name() + "\"" + where
                            + " (Docker names are unique on a host)");
                }
            }
        }
    }
}
