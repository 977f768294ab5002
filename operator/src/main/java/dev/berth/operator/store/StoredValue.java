package dev.berth.operator.store;

/** One etcd key as read: its text and revisions (modRevision guards updates against lost writes). */
public record StoredValue(String key, String value, long modRevision, long createRevision) {
}
