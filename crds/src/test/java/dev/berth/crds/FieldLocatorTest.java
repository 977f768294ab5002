package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Warnings after parsing point at the same file lines as errors would, also in a later document of the file. */
class FieldLocatorTest {
    @Test
    void locatesAFieldOfTheSecondDocumentInFileLines() {
        String second = Manifests.MINIMAL.replace("name: web", "name: api") + """
                      volumes: [{type: volume, source: data, target: /data}]
                """;
        ParseResult result = Manifests.PARSER.parse("two.yaml", Manifests.MINIMAL + "---\n" + second);
        assertEquals(2, result.resources().size(), result.errors().toString());
        FieldLocator at = FieldLocator.of(result.resources().get(1));
        assertEquals("two.yaml:18:17: spec.services[0].volumes[0]: here",
                at.at("spec.services[0].volumes[0]", "here").toString());
        // A field left out is reported at the nearest value that was written: here the service.
        assertEquals("two.yaml:16:7: spec.services[0].failover: x", at.at("spec.services[0].failover", "x").toString());
    }
}
