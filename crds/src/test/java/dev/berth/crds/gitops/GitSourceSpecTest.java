package dev.berth.crds.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import org.junit.jupiter.api.Test;

class GitSourceSpecTest {
    private final ManifestParser parser = new ManifestParser(Kinds.standard());

    @Test
    void defaultsAreSafe() {
        ParseResult result = parser.parse("gs.yaml", """
                apiVersion: berth.dev/v1
                kind: GitSource
                metadata: {name: stacks}
                spec:
                  url: https://git.example/team/stacks.git
                """);
        assertTrue(result.ok(), result.errors().toString());
        GitSourceSpec spec = result.resources().get(0).spec(GitSourceSpec.class);
        assertEquals("main", spec.ref());
        assertEquals("", spec.path());
        assertEquals("1m", spec.interval());
        assertFalse(spec.prune(), "prune is off unless asked");
        assertFalse(spec.allowEmpty());
        assertTrue(spec.selfHeal());
        assertFalse(spec.force());
        assertEquals("gitsource/stacks", result.resources().get(0).key());
        assertEquals("GitSource", Kinds.standard().lookup("gs").orElseThrow().kind());
    }

    @Test
    void secretsCannotBeWrittenInline() {
        ParseResult result = parser.parse("gs.yaml", """
                apiVersion: berth.dev/v1
                kind: GitSource
                metadata: {name: stacks}
                spec:
                  url: ftp://git.example/x.git
                  path: ./stacks/
                  interval: soon
                  credentials: {username: me, password: hunter2, passwordFile: relative/file}
                """);
        assertFalse(result.ok());
        String errors = result.errors().toString();
        assertTrue(errors.contains("gs.yaml:5:8: spec.url"), errors);
        assertTrue(errors.contains("gs.yaml:7:13: spec.interval: must be a duration"), errors);
        assertTrue(errors.contains("spec.credentials.password: unknown field \"password\""), errors);
        assertTrue(errors.contains("spec.credentials.passwordFile: must be an absolute path"), errors);
    }

    @Test
    void oneSourcePerSecretAndOnlyBerthSecretVariables() {
        ParseResult result = parser.parse("gs.yaml", """
                apiVersion: berth.dev/v1
                kind: GitSource
                metadata: {name: stacks}
                spec:
                  url: https://git.example/x.git
                  credentials:
                    passwordFile: /etc/berth/secrets/token
                    passwordSecretRef: {name: git, key: token}
                  webhook:
                    secretEnv: BERTH_ETCD_PASSWORD
                """);
        assertFalse(result.ok());
        String errors = result.errors().toString();
        assertTrue(errors.contains("gs.yaml:8:24: spec.credentials.passwordSecretRef: set only one of passwordFile,"
                + " passwordEnv and passwordSecretRef (this sets passwordFile and passwordSecretRef)"), errors);
        assertTrue(errors.contains("gs.yaml:10:16: spec.webhook.secretEnv: a GitSource may only read environment"
                + " variables named BERTH_SECRET_"), errors);

        ParseResult keyFile = parser.parse("gs.yaml", """
                apiVersion: berth.dev/v1
                kind: GitSource
                metadata: {name: stacks}
                spec:
                  url: https://git.example/x.git
                  credentials: {passwordEnv: BERTH_SECRET_KEY_FILE}
                """);
        assertTrue(keyFile.errors().toString().contains("is the operator's cluster key file"), keyFile.errors().toString());

        ParseResult fine = parser.parse("gs.yaml", """
                apiVersion: berth.dev/v1
                kind: GitSource
                metadata: {name: stacks}
                spec:
                  url: https://git.example/x.git
                  credentials: {passwordEnv: BERTH_SECRET_GIT_TOKEN}
                  webhook: {secretRef: {name: hooks, key: github}}
                """);
        assertTrue(fine.ok(), fine.errors().toString());
    }
}
