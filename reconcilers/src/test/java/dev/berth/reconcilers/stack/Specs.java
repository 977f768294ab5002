package dev.berth.reconcilers.stack;

import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import java.util.List;

/** Small builders for test specs. */
final class Specs {
    private Specs() {
    }

    static ServiceSpec service(String name, String image, int replicas) {
        return new ServiceSpec(name, image, List.of("sh", "-c", "sleep 1000"), null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, replicas);
    }

    static ServiceSpec withNetworks(ServiceSpec s, List<String> networks) {
        return new ServiceSpec(s.name(), s.image(), s.command(), s.entrypoint(), s.env(), s.labels(), s.ports(),
                s.volumes(), networks, s.restart(), s.healthcheck(), s.resources(), s.user(), s.readOnly(), s.capAdd(),
                s.capDrop(), s.securityOpt(), s.init(), s.replicas());
    }

    static StackSpec stack(List<ServiceSpec> services, List<StackNetwork> networks) {
        return new StackSpec(new Placement(null, null), services, networks);
    }
}
