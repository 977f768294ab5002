package dev.berth.crds;

import dev.berth.crds.secret.SecretKeyRef;
import dev.berth.crds.stack.FileReference;
import dev.berth.crds.stack.SecretEnv;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A service's secrets, configs and secretEnv: what binds, and every refused target and name at its place. */
class ServiceFilesManifestTest {
    /** Lines 1-8 are the minimal stack; what a test appends starts at line 9, inside the one service. */
    private static List<String> errors(String serviceLines) {
        return SecretManifestsTest.errors(Manifests.MINIMAL + serviceLines);
    }

    @Test
    void referencesBindIntoTheRecords() {
        ParseResult result = Manifests.PARSER.parse("x.yaml", Manifests.MINIMAL + """
                      env: {LOG_LEVEL: info}
                      secrets:
                        - source: db
                        - {source: tls, key: tls.key, target: /etc/ssl/private/key.pem, mode: "0400", uid: 101, gid: 102}
                      configs:
                        - source: nginx
                          key: nginx.conf
                          target: /etc/nginx/nginx.conf
                          mode: 0440
                      secretEnv:
                        - {name: DB_PASSWORD, secretKeyRef: {name: db, key: password}}
                """);
        assertTrue(result.ok(), result.errors().toString());
        ServiceSpec service = result.resources().get(0).spec(StackSpec.class).services().get(0);
        FileReference db = service.secrets().get(0);
        assertEquals(new FileReference("db", null, null, null, null, null), db);
        assertEquals("/run/secrets/db", db.effectiveTarget(true));
        assertEquals(0444, db.modeBits());
        assertEquals(0, db.effectiveUid());
        assertEquals(new FileReference("tls", "tls.key", "/etc/ssl/private/key.pem", "0400", 101, 102),
                service.secrets().get(1));
        assertEquals(0400, service.secrets().get(1).modeBits());
        FileReference nginx = service.configs().get(0);
        assertEquals("0440", nginx.mode(), "an unquoted 0440 keeps its text, read as octal");
        assertEquals(0440, nginx.modeBits());
        assertEquals("/etc/nginx/nginx.conf", nginx.effectiveTarget(false));
        assertEquals("/nginx", new FileReference("nginx", null, null, null, null, null).effectiveTarget(false));
        assertEquals(List.of(new SecretEnv("DB_PASSWORD", new SecretKeyRef("db", "password"))), service.secretEnv());
        assertTrue(service.usesSecretsOrConfigs());
    }

    @Test
    void targetsAreAbsoluteNormalisedAndOutsideTheKernelsTrees() {
        assertEquals(List.of(
                "x.yaml:10:32: spec.services[0].secrets[0].target: must be an absolute path, starting with / (got \"db\")"),
                errors("      secrets:\n        - {source: db, target: db}\n"));
        assertEquals(List.of(
                "x.yaml:10:20: spec.services[0].secrets[0].target: the target cannot be / itself; name a file, like /run/secrets/db-password",
                "x.yaml:11:20: spec.services[0].secrets[1].target: \"/run//db\" has an empty segment (//); write it as /run/db",
                "x.yaml:12:20: spec.services[0].secrets[2].target: \"/run/secrets/\" ends with /; write the path of the file (or directory) itself, /run/secrets",
                "x.yaml:13:20: spec.services[0].secrets[3].target: \"/run/../etc/x\" has a \"..\" segment; write the path it means",
                "x.yaml:14:20: spec.services[0].secrets[4].target: \"/run/./x\" has a \".\" segment; write the path it means",
                "x.yaml:16:20: spec.services[0].configs[0].target: \"/proc/x\" is under /proc, which the kernel and the container runtime own; choose another place (secrets usually go under /run/secrets)",
                "x.yaml:17:20: spec.services[0].configs[1].target: \"/sys\" is under /sys, which the kernel and the container runtime own; choose another place (secrets usually go under /run/secrets)",
                "x.yaml:18:20: spec.services[0].configs[2].target: \"/dev/shm/x\" is under /dev, which the kernel and the container runtime own; choose another place (secrets usually go under /run/secrets)"),
                errors("""
                              secrets:
                                - {target: /, source: a}
                                - {target: /run//db, source: b}
                                - {target: /run/secrets/, source: c}
                                - {target: /run/../etc/x, source: d}
                                - {target: /run/./x, source: e}
                              configs:
                                - {target: /proc/x, source: f}
                                - {target: /sys, source: g}
                                - {target: /dev/shm/x, source: h}
                                - {target: /device, source: i}
                                - {target: /run/secrets/..data, source: j}
                        """));
    }

    @Test
    void referenceKeysAreDataKeys() {
        assertEquals(List.of(
                "x.yaml:10:29: spec.services[0].secrets[0].key: key \"../etc\" may hold only letters, digits, '-', '_' and '.' (it is a file name)",
                "x.yaml:12:51: spec.services[0].secretEnv[0].secretKeyRef.key: key \"..\" is not a file name"),
                errors("""
                              secrets:
                                - {source: db, key: ../etc}
                              secretEnv:
                                - {name: P, secretKeyRef: {name: db, key: ..}}
                        """));
    }

    @Test
    void oneTargetHoldsOneMount() {
        assertEquals(List.of(
                "x.yaml:11:45: spec.services[0].volumes[1].target: target /data is also the target of volume (spec.services[0].volumes[0]) at line 10; a place holds one mount",
                "x.yaml:14:11: spec.services[0].secrets[0].target: target /run/secrets/db is also the target of volume (spec.services[0].volumes[2]) at line 12; a place holds one mount",
                "x.yaml:17:19: spec.services[0].configs[0].target: target /run/secrets/db is also the target of volume (spec.services[0].volumes[2]) at line 12; a place holds one mount"),
                errors("""
                              volumes:
                                - {type: volume, source: a, target: /data}
                                - {type: volume, source: b, target: /data/}
                                - {type: tmpfs, target: /run/secrets/db}
                              secrets:
                                - source: db
                              configs:
                                - source: x
                                  target: /run/secrets/db
                        """));
    }

    @Test
    void aSecretOrConfigIsNotMountedInsideAnotherMountNorAVolumeInsideIt() {
        assertEquals(List.of(
                "x.yaml:11:45: spec.services[0].volumes[1].target: target /etc/app/cache is inside /etc/app, the target of config (spec.services[0].configs[1]) at line 18: a volume cannot be mounted inside a config's file or directory",
                "x.yaml:14:11: spec.services[0].secrets[0].target: target /run/secrets/db is inside /run/secrets, the target of volume (spec.services[0].volumes[2]) at line 12: a secret file cannot be mounted inside another mount; choose a target outside it",
                "x.yaml:17:32: spec.services[0].configs[0].target: target /run/certs/ca.pem is inside /run/certs, the target of secret (spec.services[0].secrets[1]) at line 15: a config file cannot be mounted inside another mount; choose a target outside it"),
                errors("""
                              volumes:
                                - {type: volume, source: a, target: /data}
                                - {type: volume, source: b, target: /etc/app/cache}
                                - {type: tmpfs, target: /run/secrets}
                              secrets:
                                - source: db
                                - {source: certs, target: /run/certs}
                              configs:
                                - {source: ca, target: /run/certs/ca.pem}
                                - {source: app, target: /etc/app}
                                - {source: data, target: /database}
                        """));
    }

    @Test
    void volumesInsideVolumesAndNeighboursStayAllowed() {
        assertEquals(List.of(), errors("""
                      volumes:
                        - {type: volume, source: a, target: /data}
                        - {type: tmpfs, target: /data/tmp}
                      secrets:
                        - source: db
                        - {source: db, key: password, target: /run/secrets/db-password}
                      configs:
                        - {source: app, target: /etc/app.conf}
                        - {source: app, target: /etc/app}
                """));
    }

    @Test
    void secretEnvNamesAreUniqueAndNotInEnv() {
        assertEquals(List.of(
                "x.yaml:13:18: spec.services[0].secretEnv[0].name: variable DB_PASSWORD is also set in env (line 10); a variable has one value, so remove one of them",
                "x.yaml:15:18: spec.services[0].secretEnv[2].name: duplicate secretEnv name \"TOKEN\" (first at line 14)"),
                errors("""
                              env:
                                DB_PASSWORD: hunter2
                                OTHER: x
                              secretEnv:
                                - {name: DB_PASSWORD, secretKeyRef: {name: db, key: password}}
                                - {name: TOKEN, secretKeyRef: {name: api, key: token}}
                                - {name: TOKEN, secretKeyRef: {name: api, key: token2}}
                        """));
    }
}
