package dev.berth.operator.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;

/**
 * One etcd key as read: its text and revisions (modRevision guards updates against lost writes). {@code version} is
 * etcd's per-key write counter (1 after the first write, reset when the key is deleted), 0 where it was not read.
 * {@code bytes} are the value as etcd holds it: a manifest is read from them with the parser's strict decoder (the
 * one {@code berth validate} uses for files), never from {@code value}, whose undecodable bytes became U+FFFD.
 */
public record StoredValue(String key, String value, long modRevision, long createRevision, long version,
                          ByteSequence bytes) {
    public StoredValue(String key, String value, long modRevision, long createRevision, long version) {
        this(key, value, modRevision, createRevision, version, ByteSequence.from(value, StandardCharsets.UTF_8));
    }

    public StoredValue(String key, String value, long modRevision, long createRevision) {
        this(key, value, modRevision, createRevision, 0);
    }

    /** A key-value as etcd returned it (a read or a watch event). */
    public static StoredValue of(KeyValue kv) {
        return new StoredValue(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8),
                kv.getModRevision(), kv.getCreateRevision(), kv.getVersion(), kv.getValue());
    }
}
