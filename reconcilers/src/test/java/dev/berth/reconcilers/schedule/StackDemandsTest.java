package dev.berth.reconcilers.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.Placement;
import dev.berth.crds.stack.PortSpec;
import dev.berth.crds.stack.ResourcesSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackDemandsTest {
    private static final long MIB = 1024L * 1024;

    private static ServiceSpec service(String name, Integer replicas, Placement placement, Boolean failover,
                                       ResourcesSpec resources, List<PortSpec> ports) {
        return new ServiceSpec(name, "busybox", null, null, null, null, ports, null, null, null, null, resources, null,
                null, null, null, null, null, replicas, null, null, placement, failover);
    }

    private static ServiceSpec service(String name, Placement placement) {
        return service(name, null, placement, null, null, null);
    }

    private static ServiceDemand only(StackSpec spec, String service) {
        return StackDemands.of(spec).stream().filter(d -> d.service().equals(service)).findFirst().orElseThrow();
    }

    @Test
    void aPlainServiceIsOneReplicaAnywhereWithFailover() {
        StackSpec spec = new StackSpec(null, List.of(service("web", null)), null);

        assertEquals(List.of(ServiceDemand.of("web", 1)), StackDemands.of(spec));
        assertEquals(List.of(), StackDemands.globalServices(spec));
    }

    @Test
    void theServiceInheritsTheStacksPlacementAndOverridesItFieldByField() {
        Placement stack = new Placement(null, Map.of("disk", "ssd"), null, 2, "zone");
        StackSpec spec = new StackSpec(stack, List.of(
                service("web", null),
                service("api", new Placement(List.of("hb1"), null, null, 1, null)),
                service("batch", new Placement(null, null, null, null, "rack"))), null);

        ServiceDemand web = only(spec, "web");
        assertEquals(new Placement(List.of(), Map.of("disk", "ssd")), web.placement());
        assertEquals(2, web.maxPerHost());
        assertEquals("zone", web.spreadLabel());

        // Naming hosts replaces the stack's selector (one field); maxPerHost overridden, spread inherited.
        ServiceDemand api = only(spec, "api");
        assertEquals(new Placement(List.of("hb1"), Map.of()), api.placement());
        assertEquals(1, api.maxPerHost());
        assertEquals("zone", api.spreadLabel());

        // Restricting nothing keeps the stack's restriction; only spread is its own.
        ServiceDemand batch = only(spec, "batch");
        assertEquals(new Placement(List.of(), Map.of("disk", "ssd")), batch.placement());
        assertEquals(2, batch.maxPerHost());
        assertEquals("rack", batch.spreadLabel());
    }

    @Test
    void globalServicesAreNotScheduled() {
        Placement global = new Placement(null, null, Placement.GLOBAL, null, null);
        StackSpec spec = new StackSpec(null, List.of(service("agent", global), service("web", null),
                service("logs", global)), null);

        assertEquals(List.of("web"), StackDemands.of(spec).stream().map(ServiceDemand::service).toList());
        assertEquals(List.of("agent", "logs"), StackDemands.globalServices(spec));

        // A global stack with one service replicated on its own.
        StackSpec mixed = new StackSpec(global, List.of(service("agent", null),
                service("web", new Placement(null, null, Placement.REPLICATED, null, null))), null);
        assertEquals(List.of("web"), StackDemands.of(mixed).stream().map(ServiceDemand::service).toList());
        assertEquals(List.of("agent"), StackDemands.globalServices(mixed));
    }

    @Test
    void replicasReservationsFixedPortsAndFailover() {
        ResourcesSpec reserved = new ResourcesSpec(2.0, "1g", null, new ResourcesSpec.Reservations(0.5, "512m"));
        StackSpec spec = new StackSpec(null, List.of(
                service("db", 3, null, false, reserved, List.of(new PortSpec(5432, 5432, null, null))),
                service("cache", 2, null, true, new ResourcesSpec(1.0, null, null),
                        List.of(new PortSpec(6379, null, null, null))),
                service("cpu", 1, null, null, new ResourcesSpec(null, null, null,
                        new ResourcesSpec.Reservations(1.25, null)), null)), null);

        ServiceDemand db = only(spec, "db");
        assertEquals(3, db.replicas());
        // Only reservations count; limits (cpus 2, memory 1g) are Docker's business.
        assertEquals(new Reservation(500, 512 * MIB), db.reservation());
        assertTrue(db.fixedHostPort());
        assertEquals(false, db.failover());

        ServiceDemand cache = only(spec, "cache");
        assertEquals(null, cache.reservation());
        assertEquals(false, cache.fixedHostPort());
        assertEquals(true, cache.failover());

        assertEquals(new Reservation(1250, 0), only(spec, "cpu").reservation());
    }

    @Test
    void badInputNamesTheService() {
        StackSpec memory = new StackSpec(null, List.of(service("db", 1, null, null,
                new ResourcesSpec(null, null, null, new ResourcesSpec.Reservations(null, "lots")), null)), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StackDemands.of(memory));
        assertEquals("service db: reservations.memory: \"lots\" is not a quantity like 256m, 1g or 512Mi",
                e.getMessage());

        StackSpec cpus = new StackSpec(null, List.of(service("db", 1, null, null,
                new ResourcesSpec(null, null, null, new ResourcesSpec.Reservations(-1.0, null)), null)), null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StackDemands.of(cpus)).getMessage()
                .startsWith("service db: reservations.cpus"));

        StackSpec negative = new StackSpec(null, List.of(service("web", -1, null, null, null, null)), null);
        assertEquals("service web: replicas must not be negative, got -1",
                assertThrows(IllegalArgumentException.class, () -> StackDemands.of(negative)).getMessage());

        StackSpec zero = new StackSpec(new Placement(null, null, null, 0, null), List.of(service("web", null)), null);
        assertEquals("service web: maxPerHost must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> StackDemands.of(zero)).getMessage());

        StackSpec mode = new StackSpec(new Placement(null, null, "everywhere", null, null),
                List.of(service("web", null)), null);
        assertEquals("service web: unknown placement mode \"everywhere\" (replicated or global)",
                assertThrows(IllegalArgumentException.class, () -> StackDemands.of(mode)).getMessage());

        // replicas: 0 is allowed: nothing runs.
        StackSpec none = new StackSpec(null, List.of(service("web", 0, null, null, null, null)), null);
        assertEquals(0, StackDemands.of(none).get(0).replicas());
    }
}
