package dev.berth.crds;

import dev.berth.crds.stack.BuildSpec;
import dev.berth.crds.stack.ImageReference;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images, builds and registry Secrets: what binds, and every refusal at its line and column. */
class ImageChecksTest {
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    private static String stack(String service) {
        return "apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: shop\nspec:\n  services:\n    - name: web\n"
                + service;
    }

    private static String secret(String spec) {
        return "apiVersion: berth.dev/v1\nkind: Secret\nmetadata:\n  name: reg\nspec:\n" + spec;
    }

    private static List<String> errors(String yaml) {
        return SecretManifestsTest.errors(yaml);
    }

    @Test
    void imageReferencesDockerTakes() {
        for (String ok : List.of("nginx", "nginx:1.27", "library/nginx:1.27-alpine", "registry.example.com/shop/web:v2",
                "10.0.0.5:5000/app", "localhost:5000/a/b_c__d-e.f:latest", "nginx@" + DIGEST,
                "reg.example:443/x:1@" + DIGEST, "ghcr.io/o/r:_under")) {
            assertEquals(Optional.empty(), ImageReference.problem(ok), ok);
        }
    }

    @Test
    void imageReferencesDockerRefuses() {
        assertEquals("\"Nginx:1\": \"Nginx\" is not a valid repository name component; repository names are "
                + "lowercase: nginx", ImageReference.problem("Nginx:1").orElseThrow());
        assertEquals("\"nginx:.1\": the tag \".1\" must be letters, digits, '_', '.' and '-', not starting with '.' "
                + "or '-', at most 128 characters", ImageReference.problem("nginx:.1").orElseThrow());
        assertEquals("\"nginx@sha256:abc\": the digest \"sha256:abc\" must be sha256: and 64 lowercase hex digits",
                ImageReference.problem("nginx@sha256:abc").orElseThrow());
        assertTrue(ImageReference.problem("https://reg.example/app").orElseThrow().contains("has a scheme"));
        assertTrue(ImageReference.problem("shop//web").orElseThrow().contains("empty path component"));
        assertTrue(ImageReference.problem("reg.example:99999/app").orElseThrow().contains("bad port"));
        assertTrue(ImageReference.problem("nginx:" + "a".repeat(129)).isPresent());
        assertTrue(ImageReference.problem("my app").isPresent());
    }

    @Test
    void aServiceNeedsImageOrBuildAtItsLine() {
        assertEquals(List.of("x.yaml:7:7: spec.services[0]: service \"web\" needs image (what to run, like "
                + "nginx:1.27) or build (a Dockerfile's folder to build it from)"), errors(stack("      replicas: 2\n")));
    }

    @Test
    void aBadImageIsAnErrorAtItsValue() {
        assertEquals(List.of("x.yaml:8:14: spec.services[0].image: \"Shop/Web:1\": \"Shop\" is not a valid repository "
                + "name component; repository names are lowercase: shop"), errors(stack("      image: Shop/Web:1\n")));
    }

    @Test
    void buildWithoutImageAndWithImageBind() {
        ParseResult result = Manifests.PARSER.parse("x.yaml", stack("""
                      build:
                        context: app
                        dockerfile: docker/Dockerfile.prod
                        args: {VERSION: "2"}
                        target: runtime
                    - name: api
                      image: registry.example.com/shop/api
                      imagePullPolicy: Always
                      build: {context: /srv/api}
                """));
        assertTrue(result.ok(), result.errors().toString());
        StackSpec spec = result.resources().get(0).spec(StackSpec.class);
        assertEquals(new BuildSpec("app", "docker/Dockerfile.prod", Map.of("VERSION", "2"), "runtime"),
                spec.services().get(0).build());
        ServiceSpec api = spec.services().get(1);
        assertEquals("/srv/api", api.build().context());
        assertTrue(api.build().onHosts());
        assertEquals(ServiceSpec.PULL_ALWAYS, api.imagePullPolicy());
    }

    @Test
    void buildContextsAndDockerfilesThatLeaveOrAreNotPlain() {
        assertEquals(List.of(
                "x.yaml:10:21: spec.services[0].build.dockerfile: \"/etc/Dockerfile\" is absolute; the Dockerfile is "
                        + "named relative to the build context, like Dockerfile or docker/Dockerfile.prod"),
                errors(stack("      build:\n        context: ../app\n        dockerfile: /etc/Dockerfile\n")));
        assertEquals(List.of("x.yaml:8:24: spec.services[0].build.context: \"/srv/app/../x\" is not a plain path (it "
                        + "has '.', '..' or an empty segment); write it as /srv/x"),
                errors(stack("      build: {context: /srv/app/../x}\n")));
        assertTrue(errors(stack("      build: {context: /}\n")).get(0).contains("cannot be / itself"));
        // A relative context may climb (Compose's "context: .."): the operator knows the manifest's folder and
        // refuses one that leaves the GitSource's checkout.
        assertTrue(errors(stack("      build: {context: a/../../b}\n")).isEmpty());
        assertTrue(errors(stack("      build: {context: .}\n")).isEmpty());
        assertTrue(errors(stack("      build: {context: ./a/../b, dockerfile: ../Dockerfile}\n")).get(0)
                .contains("leaves the build context"));
    }

    @Test
    void neverWithBuildExplains() {
        assertEquals(List.of("x.yaml:9:24: spec.services[0].imagePullPolicy: imagePullPolicy: Never with build: a "
                        + "built image is never pulled anyway (Berth builds it, or pulls it from the registry it pushed "
                        + "it to); drop one of the two"),
                errors(stack("      build: {context: app}\n      imagePullPolicy: Never\n")));
    }

    @Test
    void aRegistrySecretBinds() {
        ParseResult result = Manifests.PARSER.parse("x.yaml", secret("""
                  type: Registry
                  registry: 10.0.0.5:5000
                  stringData: {username: ci, password: s3cret}
                """));
        assertTrue(result.ok(), result.errors().toString());
        var spec = result.resources().get(0).spec(dev.berth.crds.secret.SecretSpec.class);
        assertTrue(spec.isRegistry());
        assertEquals("10.0.0.5:5000", spec.registry());
    }

    @Test
    void aRegistrySecretNeedsItsHostAndExactlyItsTwoKeys() {
        assertEquals(List.of("x.yaml:6:9: spec.type: a Secret of type Registry needs spec.registry: the registry's "
                        + "host as images name it, like registry.example.com, 10.0.0.5:5000 or docker.io"),
                errors(secret("  type: Registry\n  stringData: {username: ci, password: x}\n")));
        assertEquals(List.of("x.yaml:7:13: spec.registry: the registry \"https://reg.example\" has a scheme; write "
                        + "only the host (and port), like reg.example"),
                errors(secret("  type: Registry\n  registry: https://reg.example\n  stringData: {username: ci, password: x}\n")));
        assertTrue(errors(secret("  type: Registry\n  registry: reg.example/v2\n  stringData: {username: ci, password: x}\n"))
                .get(0).contains("has a path"));
        assertEquals(List.of(
                        "x.yaml:6:3: spec: a Secret of type Registry needs the keys username and password; missing: password",
                        "x.yaml:10:5: spec.stringData.token: a Secret of type Registry holds only the keys username and "
                                + "password; \"token\" is not one of them"),
                errors(secret("  type: Registry\n  registry: reg.example\n  stringData:\n    username: ci\n    token: x\n")));
    }

    @Test
    void registryOnAnotherTypeIsAnError() {
        assertEquals(List.of("x.yaml:6:13: spec.registry: registry is for a Secret of type Registry; set type: "
                        + "Registry, or drop registry"),
                errors(secret("  registry: reg.example\n  stringData: {a: b}\n")));
    }
}
