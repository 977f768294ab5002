package dev.berth.crds.network;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

/** The subnet is a proper IPv4 block and each host's share fits inside it with room for a gateway. */
public final class NetworkRangeCheck implements SpecCheck<NetworkSpec> {
    @Override
    public Class<NetworkSpec> specType() {
        return NetworkSpec.class;
    }

    @Override
    public void check(NetworkSpec spec, CheckContext context) {
        Ipv4Cidr subnet;
        try {
            subnet = Ipv4Cidr.parse(spec.subnet());
        } catch (IllegalArgumentException e) {
            context.error("spec.subnet", e.getMessage());
            return;
        }
        if (!subnet.aligned()) {
            context.error("spec.subnet", "\"" + spec.subnet() + "\" has host bits set; did you mean \""
                    + new Ipv4Cidr(subnet.base() & subnet.mask(), subnet.prefix()) + "\"?");
        }
        if (spec.hostPrefix() < subnet.prefix()) {
            context.error("spec.hostPrefix", "hostPrefix /" + spec.hostPrefix() + " is larger than the subnet /"
                    + subnet.prefix() + " (each host's share must fit inside the subnet)");
        }
    }
}
