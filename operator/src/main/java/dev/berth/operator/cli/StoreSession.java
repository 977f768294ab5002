package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.ResourceStore;
import io.etcd.jetcd.Client;

/** One command's connection to etcd, set up before its first request; closed when the command ends. */
public final class StoreSession implements AutoCloseable {
    private final Client client;
    private final EtcdKv kv;
    private final ResourceStore store;

    public StoreSession(EtcdOptions options, Kinds kinds) {
        EtcdSettings settings = options.settings();
        this.client = EtcdConnector.connect(settings);
        this.kv = new EtcdKv(client, settings);
        this.store = new ResourceStore(kv, options.keyLayout(), kinds, new ManifestParser(kinds));
        try {
            // --etcd-timeout is for etcd's answers; the connection's set-up gets its own deadline first
            kv.connect(options.keyLayout().base());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    public ResourceStore store() {
        return store;
    }

    public EtcdKv kv() {
        return kv;
    }

    @Override
    public void close() {
        client.close();
    }
}
