package dev.berth.operator.control;

import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredValue;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names of one kind's objects that have a status row of this host, read once after the operator starts. An
 * operator killed between removing a deleted stack's last container and deleting its status row leaves a row that no
 * event and no container names any more (a kill loop met it: the row said Ready for a stack that was gone); its key
 * is queued once at start, and the pass deletes the row. Later rows are deleted by the passes that see them go.
 */
public final class LeftoverStatusRows {
    private static final Logger log = LoggerFactory.getLogger(LeftoverStatusRows.class);

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final String kind;
    private final String host;
    private volatile boolean read;

    /** @param kind the kind's singular, as in status keys ("stack") */
    public LeftoverStatusRows(EtcdKv kv, KeyLayout keys, String kind, String host) {
        this.kv = kv;
        this.keys = keys;
        this.kind = kind;
        this.host = host;
    }

    /** The names, the first time etcd answers; empty after that (and while it does not). */
    public Set<String> namesOnce() {
        if (read) {
            return Set.of();
        }
        String prefix = keys.statusRoot() + kind + "/";
        Set<String> names = new HashSet<>();
        try {
            for (StoredValue row : kv.list(prefix).values()) {
                String rest = row.key().substring(prefix.length());
                int slash = rest.indexOf('/');
                if (slash > 0 && rest.substring(slash + 1).equals(host)) {
                    names.add(rest.substring(0, slash));
                }
            }
        } catch (StoreException e) {
            log.debug("{} status rows of host {} not read yet: {}", kind, host, e.getMessage());
            return Set.of();
        }
        read = true;
        return names;
    }
}
