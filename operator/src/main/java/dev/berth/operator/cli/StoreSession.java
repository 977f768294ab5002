package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.store.EtcdConnector;
import dev.berth.operator.store.EtcdGateway;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.EtcdSettings;
import dev.berth.operator.store.ResourceStore;

/** One command's connection to etcd, set up before its first request; closed when the command ends. */
public final class StoreSession implements AutoCloseable {
    private final AutoCloseable connection;
    private final EtcdKv kv;
    private final ResourceStore store;

    /** Reads, writes and watches, over etcd's gRPC API. */
    public StoreSession(EtcdOptions options, Kinds kinds) {
        this(options, kinds, false);
    }

    private StoreSession(EtcdOptions options, Kinds kinds, boolean readOnly) {
        EtcdSettings settings = options.settings();
        if (readOnly) {
            EtcdGateway gateway = EtcdGateway.open(settings);
            this.connection = gateway;
            this.kv = EtcdKv.reading(gateway, settings);
        } else {
            io.etcd.jetcd.Client client = EtcdConnector.connect(settings);
            this.connection = client;
            this.kv = new EtcdKv(client, settings);
        }
        this.store = new ResourceStore(kv, options.keyLayout(), kinds, new ManifestParser(kinds));
        try {
            // --etcd-timeout is for etcd's answers; the connection's set-up gets its own deadline first
            kv.connect(options.keyLayout().base());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Reads only, over etcd's HTTP gateway (the same port, TLS and user): a command that lists and prints saves the
     * most of a second that setting up gRPC costs. Its store refuses writes and watches. Over gRPC after all with a
     * client certificate, or when the gateway fails in a way gRPC may not ({@link EtcdGateway#usable},
     * {@link EtcdGateway#tryGrpc}: no gateway served, a TLS failure it cannot explain).
     */
    public static StoreSession reading(EtcdOptions options, Kinds kinds) {
        if (!EtcdGateway.usable(options.settings())) {
            return new StoreSession(options, kinds);
        }
        try {
            return new StoreSession(options, kinds, true);
        } catch (dev.berth.operator.store.StoreException e) {
            if (EtcdGateway.tryGrpc(e)) {
                return new StoreSession(options, kinds);
            }
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
        try {
            connection.close();
        } catch (Exception e) {
            // closing a connection a command is done with: nothing to tell
        }
    }
}
