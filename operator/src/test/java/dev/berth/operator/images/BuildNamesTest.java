package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.stack.BuildSpec;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildNamesTest {
    @Test
    void aRelativeContextIsResolvedFromTheManifestsFolderAndNeverLeavesTheRepository() {
        assertEquals("deploy/web", BuildNames.folderOf("deploy/web/stack.yaml"));
        assertEquals("", BuildNames.folderOf("stack.yaml"));
        assertEquals(Optional.of("deploy/web"), BuildNames.resolve("deploy/web", "."));
        assertEquals(Optional.of("app"), BuildNames.resolve("deploy/web", "../../app"));
        assertEquals(Optional.of(""), BuildNames.resolve("deploy", ".."));
        assertEquals(Optional.of("deploy/web/src"), BuildNames.resolve("deploy/web", "./src/"));
        assertEquals(Optional.empty(), BuildNames.resolve("deploy", "../../x"));
        assertEquals(Optional.empty(), BuildNames.resolve("", ".."));
        assertEquals(Optional.empty(), BuildNames.dockerfile(new BuildSpec(".", "../Dockerfile", null, null)));
        assertEquals(Optional.empty(), BuildNames.dockerfile(new BuildSpec(".", "/etc/Dockerfile", null, null)));
        assertEquals(Optional.of("docker/Dockerfile.prod"),
                BuildNames.dockerfile(new BuildSpec(".", "./docker/Dockerfile.prod", null, null)));
    }

    @Test
    void onlyAnImageNamingARegistryHostIsPushed() {
        assertTrue(BuildNames.pushes("reg.example.com/shop/web"));
        assertTrue(BuildNames.pushes("10.0.0.5:5000/web:1"));
        assertTrue(BuildNames.pushes("localhost:5000/web"));
        assertFalse(BuildNames.pushes("web"));
        assertFalse(BuildNames.pushes("shop/web"));
        assertFalse(BuildNames.pushes("docker.io/shop/web"));
        assertFalse(BuildNames.pushes(null));
        String hash = "0123456789abcdef".repeat(4);
        assertEquals("reg.example.com/shop/web:berth-0123456789ab",
                BuildNames.tag("reg.example.com/shop/web:1.0", "s", "w", hash));
        assertEquals("berth-build/shop-web:0123456789ab", BuildNames.tag("shop/web", "shop", "web", hash));
        assertEquals("berth-build/shop-web:0123456789ab", BuildNames.tag(null, "shop", "web", hash));
    }

    @Test
    void theHashCoversTheContextTheDockerfileTheArgumentsAndTheTarget() {
        BuildSpec spec = new BuildSpec(".", null, Map.of("A", "1"), null);
        String base = BuildNames.hash("git abc", spec);
        assertEquals(base, BuildNames.hash("git abc", new BuildSpec("other/context", "Dockerfile", Map.of("A", "1"), null)),
                "the context's content counts, not how it is written");
        assertNotEquals(base, BuildNames.hash("git abd", spec));
        assertNotEquals(base, BuildNames.hash("git abc", new BuildSpec(".", "Other", Map.of("A", "1"), null)));
        assertNotEquals(base, BuildNames.hash("git abc", new BuildSpec(".", null, Map.of("A", "2"), null)));
        assertNotEquals(base, BuildNames.hash("git abc", new BuildSpec(".", null, Map.of("A", "1"), "prod")));
        assertTrue(base.matches("[0-9a-f]{64}"), base);
    }
}
