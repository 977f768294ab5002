package dev.berth.operator;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real etcd client on a prefix of its own ("/berth-test-xxxxxx"); close() deletes that prefix only. */
public final class EtcdFixture implements AutoCloseable, AfterEachCallback {
    public final String prefix;
    public final EtcdSettings settings;
    public final Client client;
    public final EtcdKv kv;
    public final KeyLayout keys;
    public final ResourceStore store;

    public EtcdFixture() {
        this(TestEnv.etcdEndpoints());
    }

    public EtcdFixture(String endpoints) {
        this(new EtcdSettings(List.of(endpoints.split(",")), null, null, null, null, null, Duration.ofSeconds(5)),
                "/" + TestEnv.uniqueName("berth-test-"));
    }

    /** With these settings (TLS, a user) on a prefix the test chose (one a role is limited to, say). */
    public EtcdFixture(EtcdSettings settings, String prefix) {
        this.prefix = prefix;
        this.settings = settings;
        String endpoints = settings.describeEndpoints();
        client = EtcdConnector.connect(settings);
        kv = new EtcdKv(client, settings);
        keys = new KeyLayout(prefix);
        // As the CLI does: the connection's set-up is not any request's 5 s. On a machine shared by many builds the
        // set-up alone (the test JVM loading jetcd, gRPC and Netty) can pass connect's 10 s: allow a minute in all.
        Await.until(Duration.ofSeconds(60), "etcd at " + endpoints + " connected", () -> {
            try {
                kv.connect(keys.base());
                return true;
            } catch (dev.berth.operator.store.StoreException e) {
                return false;
            }
        });
        store = new ResourceStore(kv, keys, Kinds.standard(), new ManifestParser(Kinds.standard()));
    }

    /** A berth command against this fixture's etcd and prefix. */
    public CliRun cli(String... args) {
        return CliRun.of(settings.describeEndpoints(), prefix, args);
    }

    /** Every key under this fixture's prefix with its value: compare before and after to prove nothing changed. */
    public Map<String, String> snapshot() {
        Map<String, String> all = new TreeMap<>();
        for (StoredValue v : kv.list(prefix + "/").values()) {
            all.put(v.key(), v.value() + "@" + v.modRevision());
        }
        return all;
    }

    /** As a JUnit extension ({@code @RegisterExtension}): a fresh prefix per test, deleted after it. */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        kv.deletePrefix(prefix + "/");
        client.close();
    }
}
