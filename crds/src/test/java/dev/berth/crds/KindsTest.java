package dev.berth.crds;

import dev.berth.crds.stack.StackSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KindsTest {
    private final Kinds kinds = Kinds.standard();

    @Test
    void standardKnowsStack() {
        KindDef stack = kinds.byKind("Stack").orElseThrow();
        assertEquals(new KindDef("Stack", "stack", "stacks", List.of("st"), StackSpec.class, "schemas/stack.yaml"),
                stack);
        assertEquals(stack, kinds.all().get(0));
        assertEquals("stack/web", stack.key("web"));
        assertNotSame(kinds, Kinds.standard());
    }

    @Test
    void byKindIsExact() {
        assertTrue(kinds.byKind("stack").isEmpty());
        assertTrue(kinds.byKind("Stacks").isEmpty());
    }

    @Test
    void lookupAcceptsEveryNameInAnyCase() {
        for (String name : List.of("Stack", "stack", "STACK", "stacks", "Stacks", "st", "ST")) {
            assertEquals("Stack", kinds.lookup(name).orElseThrow().kind(), name);
        }
        assertTrue(kinds.lookup("sta").isEmpty());
        assertTrue(kinds.lookup(null).isEmpty());
    }

    @Test
    void refusesANameUsedByTwoKinds() {
        assertThrows(IllegalArgumentException.class, () -> new Kinds(List.of(
                new KindDef("Stack", "stack", "stacks", List.of("st"), StackSpec.class, "schemas/stack.yaml"),
                new KindDef("Store", "store", "stores", List.of("st"), StackSpec.class, "schemas/stack.yaml"))));
    }

    @Test
    void allAreUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> kinds.all().clear());
    }
}
