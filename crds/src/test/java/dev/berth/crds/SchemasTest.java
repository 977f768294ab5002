package dev.berth.crds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemasTest {
    @Test
    void everyKindHasAPackagedSchemaWithOnlySupportedKeywords() {
        Kinds kinds = Kinds.standard();
        Schemas schemas = new Schemas(kinds); // throws on a missing schema or an unknown keyword
        for (KindDef kind : kinds.all()) {
            JsonNode schema = schemas.of(kind);
            assertNotNull(schema, kind.kind());
            assertEquals(kind.kind(), schema.at("/properties/kind/enum/0").asText());
            assertEquals("berth.dev/v1", schema.at("/properties/apiVersion/enum/0").asText());
            assertTrue(schema.has("description"));
        }
    }

    @Test
    void aMisspeltKeywordIsRefused() throws Exception {
        JsonNode schema = new YAMLMapper().readTree("type: object\nproperties:\n  a: {type: string, minLenght: 1}\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Schemas.checkKeywords(schema, "test.yaml:"));
        assertEquals("test.yaml: a unsupported schema keyword \"minLenght\"", e.getMessage());
    }
}
