package dev.berth.reconcilers.stack;

import dev.berth.reconcilers.docker.Canonical;
import dev.berth.reconcilers.docker.ContainerOptions;
import dev.berth.reconcilers.docker.ContainerPlan;
import dev.berth.reconcilers.docker.LogPlan;
import dev.berth.reconcilers.docker.HealthcheckPlan;
import dev.berth.reconcilers.docker.MountPlan;
import dev.berth.reconcilers.docker.NetworkAttachment;
import dev.berth.reconcilers.docker.NetworkPlan;
import dev.berth.reconcilers.docker.PortPlan;
import dev.berth.reconcilers.docker.RestartPlan;
import dev.berth.reconcilers.docker.UlimitPlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.StackNetwork;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.labels.BerthLabels;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The spec hash is made of every component of every plan record unless that record's {@code writeCanonical}
 * excludes it: a component added to a plan and forgotten there fails here instead of never rolling out.
 * Reflection is the test's tool for walking the records; the main code lists its components by hand, once.
 */
class SpecHashByConstructionTest {
    /** The lists whose order means nothing (reconcilers/README.md, "Spec hash"); every other list keeps its order. */
    private static final Set<String> UNORDERED = Set.of(
            "ContainerPlan.env", "ContainerPlan.ports", "ContainerPlan.mounts",
            "ContainerPlan.capAdd", "ContainerPlan.capDrop", "ContainerOptions.ulimits");
    /**
     * The changes of a list that must not change the hash: a container's DNS servers after the first (the host's
     * resolvers as a fallback behind the operator's gateway, see NameServers).
     */
    private static final Set<String> UNHASHED_TAIL = Set.of("ContainerPlan.dns without its last item",
            "ContainerPlan.dns with another item");

    /**
     * The full-featured sample, with a second alias and two DNS servers (set only with names across hosts), so that
     * every list has at least two items to reorder.
     */
    private static ContainerPlan container() {
        ContainerPlan p = SpecHashPinTest.containers().get(0);
        List<NetworkAttachment> networks = new ArrayList<>(p.networks());
        NetworkAttachment first = networks.get(0);
        networks.set(0, new NetworkAttachment(first.network(), first.declaredName(), List.of("web", "www"),
                first.networkHash()));
        ContainerPlan withAliases = with(p, component(ContainerPlan.class, "networks"), networks);
        ContainerPlan withDns = with(withAliases, component(ContainerPlan.class, "dns"), List.of("10.1.0.1", "10.2.0.1"));
        ContainerOptions options = new ContainerOptions("web-1", "/srv", true,
                List.of(new UlimitPlan("nofile", 1024, 2048), new UlimitPlan("core", 0, 0)),
                new LogPlan("json-file", Map.of("max-size", "1m", "max-file", "3")), Map.of("net.core.somaxconn", "1024"),
                List.of("db:10.0.0.2", "cache:10.0.0.3"), List.of("/dev/null", "/dev/zero:/dev/z:r"), "SIGQUIT", 30,
                67108864L);
        return with(withDns, component(ContainerPlan.class, "options"), options);
    }

    private static NetworkPlan network() {
        return SpecHashPinTest.networks().get("back");
    }

    private static List<Record> plans() {
        return List.of(container(), network());
    }

    @Test
    void everyPlanRecordIsAFormThatListsEachComponentOnce() {
        Set<Class<?>> types = new LinkedHashSet<>();
        planRecordTypes(ContainerPlan.class, types);
        planRecordTypes(NetworkPlan.class, types);
        // The walk must reach the nested records, or this test checks less than it says.
        assertTrue(types.containsAll(List.of(PortPlan.class, MountPlan.class, NetworkAttachment.class,
                RestartPlan.class, HealthcheckPlan.class, ContainerOptions.class, UlimitPlan.class, LogPlan.class)),
                types.toString());

        Map<Class<?>, Record> samples = new HashMap<>();
        plans().forEach(p -> collectSamples(p, samples));
        for (Class<?> type : types) {
            assertTrue(Canonical.Form.class.isAssignableFrom(type),
                    type.getSimpleName() + " is part of a plan: make it a Canonical.Form that lists its components");
            Record sample = samples.get(type);
            assertTrue(sample != null, "the sample plans have no " + type.getSimpleName() + "; extend the sample");
            Canonical c = Canonical.of((Canonical.Form) sample);
            Set<String> listed = new TreeSet<>(c.written());
            listed.addAll(c.excluded());
            Set<String> components = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(components, listed, type.getSimpleName()
                    + ".writeCanonical must write or exclude each component, and name no other");
        }
    }

    @Test
    void excludedAreOnlyTheHashAndWhatTheNameAndLabelsCarry() {
        assertEquals(Set.of("stack", "service", "replica", "specHash"), Canonical.of(container()).excluded());
        assertEquals(Set.of("stack", "declaredName", "specHash"), Canonical.of(network()).excluded());
        for (Class<?> nested : List.of(PortPlan.class, MountPlan.class, NetworkAttachment.class,
                RestartPlan.class, HealthcheckPlan.class, ContainerOptions.class, UlimitPlan.class, LogPlan.class)) {
            Map<Class<?>, Record> samples = new HashMap<>();
            plans().forEach(p -> collectSamples(p, samples));
            assertEquals(Set.of(), Canonical.of((Canonical.Form) samples.get(nested)).excluded(), nested.getSimpleName());
        }
    }

    @Test
    void everyWrittenComponentChangesTheHashAndNoExcludedOneDoes() {
        for (Record plan : plans()) {
            String base = hash(plan);
            Map<String, Record> changed = new LinkedHashMap<>();
            mutations(plan.getClass().getSimpleName(), plan, changed);
            assertFalse(changed.isEmpty());
            changed.forEach((what, mutated) -> {
                boolean excluded = what.startsWith("excluded ") || UNHASHED_TAIL.contains(what);
                if (excluded) {
                    assertEquals(base, hash(mutated), what + " is excluded but changes the hash");
                } else {
                    assertNotEquals(base, hash(mutated), what + " does not change the hash");
                }
            });
        }
    }

    @Test
    void reorderingChangesTheHashExceptForTheOrderFreeLists() {
        List<String> reordered = new ArrayList<>();
        for (Record plan : plans()) {
            String base = hash(plan);
            Map<String, Record> variants = new LinkedHashMap<>();
            reorderings(plan, variants);
            variants.forEach((path, variant) -> {
                reordered.add(path);
                if (UNORDERED.contains(path)) {
                    assertEquals(base, hash(variant), path + " is order-free, but reordering it changes the hash");
                } else {
                    assertNotEquals(base, hash(variant), path + " keeps its order, but reordering it does not change the hash");
                }
            });
        }
        assertTrue(reordered.containsAll(UNORDERED), reordered.toString());
        assertTrue(reordered.containsAll(List.of("ContainerPlan.cmd", "ContainerPlan.entrypoint",
                "ContainerOptions.extraHosts", "ContainerOptions.devices",
                "ContainerPlan.securityOpt", "ContainerPlan.networks", "HealthcheckPlan.test",
                "NetworkAttachment.aliases")), reordered.toString());
    }

    @Test
    void theHashLabelAndRepeatedCapabilitiesAreNoChange() {
        ContainerPlan p = container();
        Map<String, String> labels = new HashMap<>(p.labels());
        labels.put(BerthLabels.SPEC_HASH, "something-else");
        assertEquals(hash(p), hash(with(p, component(ContainerPlan.class, "labels"), labels)));
        List<String> caps = new ArrayList<>(p.capAdd());
        caps.add(caps.get(0));
        assertEquals(hash(p), hash(with(p, component(ContainerPlan.class, "capAdd"), caps)));

        NetworkPlan n = network();
        Map<String, String> networkLabels = new HashMap<>(n.labels());
        networkLabels.remove(BerthLabels.SPEC_HASH);
        assertEquals(hash(n), hash(with(n, component(NetworkPlan.class, "labels"), networkLabels)));
    }

    @Test
    void theStoredHashIsTheComputedOne() {
        for (ContainerPlan p : SpecHashPinTest.containers()) {
            assertEquals(p.specHash(), hash(p));
            assertEquals(p.specHash(), p.labels().get(BerthLabels.SPEC_HASH));
        }
        for (NetworkPlan n : SpecHashPinTest.networks().values()) {
            assertEquals(n.specHash(), hash(n));
            assertEquals(n.specHash(), n.labels().get(BerthLabels.SPEC_HASH));
        }
    }

    @Test
    void aChangedNetworkChangesTheHashOfTheContainersOnIt() {
        StackSpec spec = SpecHashPinTest.sample();
        List<StackNetwork> networks = spec.networks().stream()
                .map(n -> n.name().equals("back") ? new StackNetwork("back", n.driver(), n.internal(), "10.252.0.0/24", n.labels()) : n)
                .toList();
        StackSpec changed = new StackSpec(spec.placement(), spec.services(), networks);
        Map<String, String> before = hashes(spec);
        Map<String, String> after = hashes(changed);
        assertNotEquals(before.get("shop-web-1"), after.get("shop-web-1"), "web joins back");
        assertEquals(before.get("shop-worker-1"), after.get("shop-worker-1"), "worker is only on default");
    }

    @Test
    void aPlanRecordThatIsNotAFormCannotBeHashed() {
        record Loose(String a) {
        }
        Canonical.Form holder = out -> out.record("Holder").field("loose", new Loose("x"));
        assertThrows(IllegalArgumentException.class, () -> Canonical.of(holder));
        Canonical.Form twice = out -> out.record("Twice").field("a", 1).exclude("a", "listed again");
        assertThrows(IllegalStateException.class, () -> Canonical.of(twice));
        Canonical.Form unnamed = out -> out.field("a", 1);
        assertThrows(IllegalStateException.class, () -> Canonical.of(unnamed));
        Canonical.Form silent = out -> out.record("Silent").exclude("a", " ");
        assertThrows(IllegalArgumentException.class, () -> Canonical.of(silent));
    }

    @Test
    void aComponentAddedLaterLeavesTheHashOfPlansWithoutItAlone() {
        Canonical.Form before = out -> out.record("P").field("a", "x");
        for (Object unset : new Object[] {null, List.of(), Map.of()}) {
            Canonical.Form after = out -> out.record("P").field("a", "x").fieldIfSet("added", unset);
            assertEquals(Canonical.of(before).text(), Canonical.of(after).text());
            assertEquals(Set.of("a", "added"), Canonical.of(after).written());
        }
        Canonical.Form set = out -> out.record("P").field("a", "x").fieldIfSet("added", List.of("y"));
        assertEquals("a=s1:x\nadded=[s1:y,]\n", Canonical.of(set).text());
    }

    private static Map<String, String> hashes(StackSpec spec) {
        var nets = PlanBuilder.networks(BerthLabels.DEFAULT_INSTANCE, "shop", spec);
        return PlanBuilder.containers(BerthLabels.DEFAULT_INSTANCE, "shop", spec, nets).stream()
                .collect(Collectors.toMap(ContainerPlan::name, ContainerPlan::specHash));
    }

    private static String hash(Record plan) {
        return Canonical.of((Canonical.Form) plan).hash();
    }

    // ---- walking the records (reflection: tests only) ----

    /** Record types in the stack package reachable from {@code type} through components, lists and maps. */
    private static void planRecordTypes(Class<?> type, Set<Class<?>> into) {
        if (!into.add(type)) {
            return;
        }
        for (RecordComponent c : type.getRecordComponents()) {
            recordTypesIn(c.getGenericType(), into);
        }
    }

    private static void recordTypesIn(Type t, Set<Class<?>> into) {
        if (t instanceof ParameterizedType p) {
            Arrays.stream(p.getActualTypeArguments()).forEach(a -> recordTypesIn(a, into));
        } else if (t instanceof Class<?> c && c.isRecord()) {
            planRecordTypes(c, into);
        }
    }

    private static void collectSamples(Object value, Map<Class<?>, Record> into) {
        if (value instanceof Record r) {
            into.putIfAbsent(r.getClass(), r);
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                collectSamples(get(r, c), into);
            }
        } else if (value instanceof List<?> list) {
            list.forEach(v -> collectSamples(v, into));
        }
    }

    /**
     * Every single-component change of {@code r}, reaching into nested records and list items, keyed by a
     * description; changes of excluded components are keyed "excluded ...".
     */
    private static void mutations(String path, Record r, Map<String, Record> into) {
        Canonical c = Canonical.of((Canonical.Form) r);
        for (RecordComponent comp : r.getClass().getRecordComponents()) {
            String at = path + "." + comp.getName();
            String key = (c.excluded().contains(comp.getName()) ? "excluded " : "") + at;
            Object value = get(r, comp);
            for (Map.Entry<String, Object> change : changes(at, value, comp.getType()).entrySet()) {
                into.put(key + " " + change.getKey(), with(r, comp, change.getValue()));
            }
        }
    }

    /** Different values for one component, keyed by what was done. */
    private static Map<String, Object> changes(String path, Object value, Class<?> type) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof Record nested) {
            Map<String, Record> inner = new LinkedHashMap<>();
            mutations(nested.getClass().getSimpleName(), nested, inner);
            inner.forEach((what, mutated) -> {
                if (!what.startsWith("excluded ")) {
                    out.put("-> " + what, mutated);
                }
            });
            out.put("= null", null);
        } else if (value instanceof List<?> list) {
            assertFalse(list.isEmpty(), path + " is empty in the sample: give it items, so that changing one is tested");
            List<Object> shorter = new ArrayList<>(list);
            shorter.remove(shorter.size() - 1);
            out.put("without its last item", shorter);
            if (list.get(0) instanceof Record first) {
                for (Map.Entry<String, Object> change : changes(path + "[0]", first, first.getClass()).entrySet()) {
                    if (change.getValue() != null) {
                        List<Object> copy = new ArrayList<>(list);
                        copy.set(0, change.getValue());
                        out.put("[0] " + change.getKey(), copy);
                    }
                }
            } else {
                List<Object> longer = new ArrayList<>(list);
                longer.add(list.get(0) instanceof String s && s.contains("=") ? "MUTATED=1" : "MUTATED");
                out.put("with another item", longer);
            }
        } else if (value instanceof Map<?, ?> map) {
            Map<Object, Object> more = new TreeMap<>(map);
            more.put("mutated", "1");
            out.put("with another entry", more);
            Map<Object, Object> changed = new TreeMap<>(map);
            changed.entrySet().stream().filter(e -> !e.getKey().equals(BerthLabels.SPEC_HASH)).findFirst()
                    .ifPresent(e -> e.setValue(e.getValue() + "x"));
            out.put("with a value changed", changed);
        } else if (type == String.class) {
            out.put("changed", value == null ? "x" : value + "x");
        } else if (type == int.class || type == Integer.class) {
            out.put("changed", value == null ? 1 : (Integer) value + 1);
        } else if (type == long.class || type == Long.class) {
            out.put("changed", value == null ? 1L : (Long) value + 1);
        } else if (type == boolean.class || type == Boolean.class) {
            out.put("changed", value == null ? Boolean.TRUE : !(Boolean) value);
        } else if (Record.class.isAssignableFrom(type) && value == null) {
            throw new AssertionError(path + " is null in the sample: set it, so that changing it is tested");
        } else {
            throw new AssertionError(path + ": the test does not know how to change a " + type);
        }
        if (value != null && !type.isPrimitive() && !(value instanceof List) && !(value instanceof Map)
                && !(value instanceof Record)) {
            out.put("= null", null);
        }
        return out;
    }

    /** Each list (in the plan, its nested records and the first item of its lists) reversed, keyed by Record.component. */
    private static void reorderings(Record r, Map<String, Record> into) {
        for (RecordComponent comp : r.getClass().getRecordComponents()) {
            String at = r.getClass().getSimpleName() + "." + comp.getName();
            Object value = get(r, comp);
            if (value instanceof List<?> list) {
                if (!list.isEmpty() && list.get(0) instanceof Record first) {
                    Map<String, Record> inner = new LinkedHashMap<>();
                    reorderings(first, inner);
                    inner.forEach((innerPath, variant) -> {
                        List<Object> copy = new ArrayList<>(list);
                        copy.set(0, variant);
                        into.put(innerPath, with(r, comp, copy));
                    });
                }
                assertTrue(list.size() >= 2, at + " needs two different items in the sample, so that reordering is tested");
                List<Object> reversed = new ArrayList<>(list);
                Collections.reverse(reversed);
                into.put(at, with(r, comp, reversed));
            } else if (value instanceof Record nested) {
                Map<String, Record> inner = new LinkedHashMap<>();
                reorderings(nested, inner);
                inner.forEach((innerPath, variant) -> into.put(innerPath, with(r, comp, variant)));
            }
        }
    }

    private static RecordComponent component(Class<?> type, String name) {
        return Arrays.stream(type.getRecordComponents()).filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(type.getSimpleName() + " has no " + name));
    }

    private static Object get(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A copy of {@code r} with one component replaced, through the canonical constructor. */
    @SuppressWarnings("unchecked")
    private static <R extends Record> R with(R r, RecordComponent replaced, Object value) {
        RecordComponent[] components = r.getClass().getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = components[i].getName().equals(replaced.getName()) ? value : get(r, components[i]);
        }
        try {
            var constructor = r.getClass().getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return (R) constructor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
