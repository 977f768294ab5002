package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Inputs the fuzzer of issue 20 (operator's reliability/FuzzTest) found read badly, kept as they were found. */
class FuzzFindingsTest {
    /**
     * Fuzz input "deep-nesting": Jackson's nesting limit came out as "(document 1): YAML syntax error" at 1:1, naming
     * Jackson's API ({@code StreamReadConstraints.getMaxNestingDepth()}); it is now where the limit was passed.
     */
    @Test
    void nestingBeyondTheLimitIsAnErrorWhereItIsWithoutLibraryNames() {
        String yaml = Manifests.MINIMAL + "      command: " + "[".repeat(1500) + "]".repeat(1500) + "\n";
        List<String> errors = Manifests.errors(yaml);
        assertEquals(List.of("x.yaml:9:1013: (document 1): YAML syntax error: Document nesting depth (1001) exceeds"
                + " the maximum allowed (1000)"), errors);
    }

    /**
     * Defect 3's last case (issue 20): {@code env: {A: !!binary aGVsbG8=}} was read as the text "aGVsbG8=", the tag
     * silently ignored; every tag is now an error at the tagged value.
     */
    @Test
    void tagsAreErrorsAtTheTaggedValue() {
        assertEquals(List.of("x.yaml:9:16: spec.services[0].env.A: tag !!binary is not supported: Berth reads plain"
                + " YAML values (remove the tag; quote the value for a string)"),
                Manifests.errors(Manifests.MINIMAL + "      env: {A: !!binary aGVsbG8=}\n"));
        assertEquals(1, Manifests.errors(Manifests.MINIMAL + "      env: {A: !custom x}\n").size());
    }
}
