package dev.berth.operator.store;

/**
 * One etcd key as read: its text and revisions (modRevision guards updates against lost writes). {@code version} is
 * etcd's per-key write counter (1 after the first write, reset when the key is deleted), 0 where it was not read.
 */
public record StoredValue(String key, String value, long modRevision, long createRevision, long version) {
    public StoredValue(String key, String value, long modRevision, long createRevision) {
        this(key, value, modRevision, createRevision, 0);
    }
}
