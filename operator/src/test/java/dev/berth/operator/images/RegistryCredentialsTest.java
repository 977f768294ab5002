package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.reconcilers.docker.RegistryAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registry logins from Secrets in a real etcd, decrypted with a real key file, at the moment they are asked for. */
class RegistryCredentialsTest {
    /** A fresh JVM's first etcd calls are slow on a loaded machine. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final EtcdFixture etcd = new EtcdFixture();
    private final Path keyFile = ImageBed.keyFile();
    private final SecretKeyring keyring = ImageBed.keyring(keyFile);
    private final DesiredInformer secrets = ImageBed.secrets(etcd);
    private final RegistryCredentials credentials = new RegistryCredentials(secrets,
            new OperatorKeyring(Optional.of(keyFile)));

    @AfterEach
    void close() {
        secrets.close();
        etcd.close();
    }

    private Optional<RegistryAuth> awaitLogin(String registry, String password) {
        Await.until(WAIT, "the login for " + registry + " with the expected password", () -> {
            try {
                return credentials.forRegistry(registry).map(RegistryAuth::password).orElse("").equals(password);
            } catch (RegistryCredentials.Unusable e) {
                return false;
            }
        });
        try {
            return credentials.forRegistry(registry);
        } catch (RegistryCredentials.Unusable e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void theSecretNamingTheRegistryGivesItsLoginAndAnEditCountsAtTheNextAsk() throws Exception {
        ImageBed.put(etcd, "other", ImageBed.registrySecret(keyring, "other", "other.example:5000", "x", "other-pw"));
        ImageBed.put(etcd, "plain", Manifest.of("Secret", "plain", "encryptedData:\n  password: \""
                + keyring.encrypt("plain", "password", "opaque-pw".getBytes()) + "\"\n"));
        ImageBed.put(etcd, "shop", ImageBed.registrySecret(keyring, "shop", "reg.example:5000", "alice", "first-pw"));
        Await.until(WAIT, "three secrets in the cache", () -> secrets.names().size() == 3);

        awaitLogin("reg.example:5000", "first-pw");
        RegistryAuth auth = credentials.forImage("reg.example:5000/shop/web:1").orElseThrow();
        assertEquals("alice", auth.username());
        assertEquals("reg.example:5000", auth.registry());
        assertFalse(auth.toString().contains("first-pw"), auth.toString());
        assertEquals(Optional.empty(), credentials.forRegistry("unknown.example"));
        assertEquals(Optional.empty(), credentials.forImage("nginx:1.27"), "an Opaque Secret is no login");

        ImageBed.put(etcd, "shop", ImageBed.registrySecret(keyring, "shop", "reg.example:5000", "alice", "second-pw"));
        awaitLogin("reg.example:5000", "second-pw");
    }

    @Test
    void severalSecretsForOneRegistryTheFirstByNameWinsAndDockerHubHasSeveralNames() throws Exception {
        ImageBed.put(etcd, "zeta", ImageBed.registrySecret(keyring, "zeta", "REG.example:5000", "zed", "z-pw"));
        ImageBed.put(etcd, "alpha", ImageBed.registrySecret(keyring, "alpha", "reg.example:5000", "al", "a-pw"));
        ImageBed.put(etcd, "hub", ImageBed.registrySecret(keyring, "hub", "index.docker.io", "hubuser", "hub-pw"));
        Await.until(WAIT, "three secrets in the cache", () -> secrets.names().size() == 3);
        try (ImageBed.LogCapture log = new ImageBed.LogCapture()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("al", credentials.forRegistry("reg.example:5000").orElseThrow().username());
            }
            assertEquals(1, log.lines().stream().filter(l -> l.contains("several Secrets of type Registry name it"
                    + " (alpha, zeta); using secret/alpha")).count(), "one warning per change: " + log.lines());
        }
        assertEquals("hubuser", credentials.forImage("nginx:1.27").orElseThrow().username());
        assertEquals("hubuser", credentials.forImage("docker.io/library/nginx:1.27").orElseThrow().username());
    }

    @Test
    void aSecretTheKeyFileCannotOpenIsAReasonNotAnAnonymousPullAndARotatedFileCountsWithoutRestart()
            throws Exception {
        String password = "rotating-pw-" + System.nanoTime();
        ImageBed.put(etcd, "shop", ImageBed.registrySecret(keyring, "shop", "reg.example:5000", "alice", password));
        awaitLogin("reg.example:5000", password);

        // The operator's key file now holds only another key: the Secret cannot be opened.
        String oldKey = Files.readString(keyFile).strip();
        String newKey = SecretKeyring.newKeyLine();
        Files.writeString(keyFile, newKey + "\n");
        RegistryCredentials.Unusable e = assertThrows(RegistryCredentials.Unusable.class,
                () -> credentials.forRegistry("reg.example:5000"));
        assertTrue(e.getMessage().startsWith("registry credential secret/shop cannot be decrypted: "), e.getMessage());
        assertFalse(e.getMessage().contains(password), e.getMessage());

        // Both keys, the old one first (a rotation in progress): the login is back at the next ask.
        Files.writeString(keyFile, oldKey + "\n" + newKey + "\n");
        assertEquals(password, credentials.forRegistry("reg.example:5000").orElseThrow().password());

        ImageBed.put(etcd, "shop", Manifest.of("Secret", "shop", "type: Registry\nregistry: reg.example:5000\n"
                + "encryptedData:\n  username: \"" + keyring.encrypt("shop", "username", "alice".getBytes()) + "\"\n"));
        // Without a password it is not a valid Registry Secret (berth apply refuses it): it names no registry.
        Await.until(WAIT, "the Secret without a password skipped", () -> {
            try {
                return credentials.forRegistry("reg.example:5000").isEmpty();
            } catch (RegistryCredentials.Unusable u) {
                return false;
            }
        });
    }
}
