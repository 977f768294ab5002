package dev.berth.crds.network;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.Resource;
import dev.berth.crds.SetCheck;
import dev.berth.crds.SetCheckContext;
import java.util.List;

/**
 * No two Networks share a VNI (one VXLAN device per VNI on a host) and no two subnets overlap (an address would
 * belong to two bridges). A clash between two objects being applied is reported once, at the later one.
 */
public final class NetworkSetCheck implements SetCheck {
    @Override
    public String kind() {
        return ObjectKey.NETWORK;
    }

    @Override
    public void check(List<Resource> applying, List<Resource> stored, SetCheckContext context) {
        SetCheck.eachPair(applying, stored, context, NetworkSetCheck::compare);
    }

    private static void compare(Resource network, Resource other, boolean showWhere, SetCheckContext context) {
        NetworkSpec spec = network.spec(NetworkSpec.class);
        NetworkSpec o = other.spec(NetworkSpec.class);
        String name = "network \"" + other.metadata().name() + "\"";
        if (o.vni().equals(spec.vni())) {
            context.error(network, "spec.vni", "VNI " + spec.vni() + " is already used by " + name
                    + (showWhere ? " (" + context.where(other, "spec.vni") + ")" : ""));
        }
        if (Ipv4Cidr.parse(o.subnet()).overlaps(Ipv4Cidr.parse(spec.subnet()))) {
            context.error(network, "spec.subnet", "subnet " + spec.subnet() + " overlaps " + o.subnet() + " of "
                    + name + (showWhere ? " (" + context.where(other, "spec.subnet") + ")" : ""));
        }
    }
}
