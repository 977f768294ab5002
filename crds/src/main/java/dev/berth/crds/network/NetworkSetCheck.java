package dev.berth.crds.network;

import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules across Networks, checked when applying: no two Networks share a VNI, no two subnets overlap. Objects
 * being applied replace stored ones of the same name; errors point at the applied document.
 */
public final class NetworkSetCheck {
    private NetworkSetCheck() {
    }

    public static List<ValidationError> check(List<Resource> applying, List<Resource> stored) {
        Map<String, Resource> all = new LinkedHashMap<>();
        stored.stream().filter(r -> r.spec() instanceof NetworkSpec).forEach(r -> all.put(r.metadata().name(), r));
        List<Resource> mine = applying.stream().filter(r -> r.spec() instanceof NetworkSpec).toList();
        mine.forEach(r -> all.put(r.metadata().name(), r));
        List<ValidationError> errors = new ArrayList<>();
        for (Resource r : mine) {
            NetworkSpec spec = r.spec(NetworkSpec.class);
            for (Resource other : all.values()) {
                if (other == r || other.metadata().name().equals(r.metadata().name())) {
                    continue;
                }
                NetworkSpec o = other.spec(NetworkSpec.class);
                if (o.vni().equals(spec.vni())) {
                    errors.add(new ValidationError(r.file(), r.line(), 1, "spec.vni", "VNI " + spec.vni()
                            + " is already used by network \"" + other.metadata().name() + "\""));
                }
                if (Ipv4Cidr.parse(o.subnet()).overlaps(Ipv4Cidr.parse(spec.subnet()))) {
                    errors.add(new ValidationError(r.file(), r.line(), 1, "spec.subnet", "subnet " + spec.subnet()
                            + " overlaps " + o.subnet() + " of network \"" + other.metadata().name() + "\""));
                }
            }
        }
        return errors;
    }
}
