package dev.berth.reconcilers.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.crds.network.NetworkSpec;
import dev.berth.reconcilers.docker.OverlayNetworkPlan;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec hash of an overlay's Docker network covers every component of its plan but the ones it names. */
class OverlayHashTest {
    private static final NetworkSpec SPEC = new NetworkSpec(4242, "10.77.0.0/16", 24, null, null, null);
    private static final OverlayHost HOST = new OverlayHost("h1", "192.0.2.10", 1500);

    private static OverlayNetworkPlan sample() {
        return OverlayPlans.dockerNetwork("berth", "backend", SPEC, Ipv4Cidr.parse("10.77.3.0/24"), HOST);
    }

    /** Pinned before the hash moved into the plan: an upgrade must not recreate any overlay's Docker network. */
    @Test
    void theHashOfAnUnchangedNetworkStaysAsItWas() {
        assertEquals("8709da760c9c3a91", sample().specHash());
    }

    /** Reflection is fine in a test: it finds the component someone adds to the plan and forgets in hashInput(). */
    @Test
    void everyComponentButTheNamedOnesChangesTheHash() throws Exception {
        OverlayNetworkPlan plan = sample();
        RecordComponent[] components = OverlayNetworkPlan.class.getRecordComponents();
        Constructor<OverlayNetworkPlan> make = OverlayNetworkPlan.class.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
        for (int i = 0; i < components.length; i++) {
            Object[] values = new Object[components.length];
            for (int j = 0; j < components.length; j++) {
                values[j] = components[j].getAccessor().invoke(plan);
            }
            values[i] = changed(values[i]);
            OverlayNetworkPlan other = make.newInstance(values);
            String name = components[i].getName();
            if (OverlayNetworkPlan.NOT_HASHED.contains(name)) {
                assertEquals(plan.hashInput(), other.hashInput(), name + " is declared not hashed");
            } else {
                assertNotEquals(plan.hashInput(), other.hashInput(), name + " must change the hash");
            }
        }
    }

    private static Object changed(Object value) {
        if (value instanceof Integer n) {
            return n + 1;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> more = new HashMap<>(map);
            more.put("extra", "label");
            return more;
        }
        return value + "x";
    }
}
