package dev.berth.operator.cli;

import dev.berth.crds.FieldLocator;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.gitops.GitAnnotations;
import java.util.ArrayList;
import java.util.List;

/**
 * A relative {@code build.context} is resolved in the checkout of the GitSource the stack was synced from; a stack
 * written by {@code berth apply} has none, so its build could never start. Refused here, at apply, and not by the
 * schema checks: a GitSource's sync validates the same manifest and must accept it. A stack that carries its
 * GitSource's annotation (read back with {@code get -o yaml}) still has that checkout.
 */
final class RelativeBuildContexts {
    private RelativeBuildContexts() {
    }

    static List<ValidationError> of(List<Resource> resources) {
        List<ValidationError> errors = new ArrayList<>();
        for (Resource resource : resources) {
            if (!(resource.spec() instanceof StackSpec stack)
                    || resource.metadata().annotations().containsKey(GitAnnotations.SOURCE)) {
                continue;
            }
            FieldLocator at = null;
            for (int i = 0; i < stack.services().size(); i++) {
                ServiceSpec service = stack.services().get(i);
                if (service.build() == null || service.build().context() == null || service.build().onHosts()) {
                    continue;
                }
                at = at == null ? FieldLocator.of(resource) : at;
                errors.add(at.at("spec.services[" + i + "].build.context", "a relative build context is resolved in "
                        + "a GitSource's checkout; give an absolute path on the hosts, or sync this stack from a "
                        + "GitSource"));
            }
        }
        return errors;
    }
}
