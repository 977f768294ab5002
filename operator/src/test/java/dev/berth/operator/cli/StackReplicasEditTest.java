package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The replicas edit changes one number (or adds one line) and leaves every other character as written. */
class StackReplicasEditTest {
    private static final String YAML = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: shop   # the shop
            spec:
              services:
                - name: web
                  image: busybox:1
                  env: {ANSWER: no, MODE: "0700"}
                  replicas: 2   # two for now
                - name: api
                  image: busybox:1
                - {name: db, image: busybox:1}
            """;

    @Test
    void replacesTheNumberWhereItIsWritten() {
        assertEquals(Optional.of(YAML.replace("replicas: 2   # two", "replicas: 5   # two")),
                StackReplicasEdit.withReplicas(YAML, "web", 5));
    }

    @Test
    void addsALineToABlockServiceWithoutReplicas() {
        String edited = StackReplicasEdit.withReplicas(YAML, "api", 0).orElseThrow();
        assertEquals(YAML.replace("    - name: api\n", "    - name: api\n      replicas: 0\n"), edited);
    }

    @Test
    void addsAnEntryToAFlowService() {
        String edited = StackReplicasEdit.withReplicas(YAML, "db", 3).orElseThrow();
        assertEquals(YAML.replace("{name: db,", "{replicas: 3, name: db,"), edited);
    }

    @Test
    void anUnknownServiceOrTextThatIsNotYamlIsEmpty() {
        assertTrue(StackReplicasEdit.withReplicas(YAML, "cache", 1).isEmpty());
        assertTrue(StackReplicasEdit.withReplicas("spec: [unclosed", "web", 1).isEmpty());
    }

    @Test
    void aCharacterOutsideTheBmpBeforeTheServiceKeepsEveryIndexRight() {
        // SnakeYAML marks count code points; each emoji is two Java chars, so unconverted indices land too early.
        String yaml = YAML.replace("# the shop", "# the shop \uD83D\uDED2\uD83D\uDE80")
                .replace("spec:\n", "  labels: {icon: \"\uD83D\uDED2\"}\nspec:\n");
        assertEquals(Optional.of(yaml.replace("replicas: 2   # two", "replicas: 5   # two")),
                StackReplicasEdit.withReplicas(yaml, "web", 5));
        assertEquals(yaml.replace("    - name: api\n", "    - name: api\n      replicas: 0\n"),
                StackReplicasEdit.withReplicas(yaml, "api", 0).orElseThrow());
        assertEquals(yaml.replace("{name: db,", "{replicas: 3, name: db,"),
                StackReplicasEdit.withReplicas(yaml, "db", 3).orElseThrow());
    }
}
