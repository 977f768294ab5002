package dev.berth.operator.store;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Desired objects in etcd: one key per object holding the YAML the person wrote, so that
 * {@code etcdctl get} shows it readably. Writes of a batch go in one transaction guarded by each key's
 * mod revision, so a concurrent writer is never silently overwritten.
 */
public final class ResourceStore {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceStore.class);
    private static final int CONFLICT_ATTEMPTS = 5;
    /** etcd's default limit of operations in one transaction ({@code --max-txn-ops}). */
    public static final int MAX_TXN_OPS = 128;

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final Kinds kinds;
    private final ManifestParser parser;
    private final StackRevisions revisions;

    /** With the default history of {@link StackRevisions#DEFAULT_KEEP} revisions per stack. */
    public ResourceStore(EtcdKv kv, KeyLayout keys, Kinds kinds, ManifestParser parser) {
        this(kv, keys, kinds, parser, new StackRevisions(kv, keys, parser, StackRevisions.DEFAULT_KEEP,
                java.time.Clock.systemUTC()));
    }

    public ResourceStore(EtcdKv kv, KeyLayout keys, Kinds kinds, ManifestParser parser, StackRevisions revisions) {
        this.kv = kv;
        this.keys = keys;
        this.kinds = kinds;
        this.parser = parser;
        this.revisions = revisions;
    }

    public StackRevisions revisions() {
        return revisions;
    }

    public KeyLayout keys() {
        return keys;
    }

    /** {@link #apply(List, String)} with the change-cause {@code berth apply}. */
    public List<ApplyOutcome> apply(List<Resource> resources) {
        return apply(resources, "berth apply");
    }

    /** {@link #apply(List, String, Map)} expecting nothing of what is stored. */
    public List<ApplyOutcome> apply(List<Resource> resources, String cause) {
        return apply(resources, cause, Map.of());
    }

    /**
     * Refuses, before anything is written, an apply of more objects than one transaction takes: every object needs a
     * compare in the one transaction that writes them all (all or nothing), and etcd refuses a transaction of more than
     * {@link #MAX_TXN_OPS} compares. The error is at the first object beyond the limit; empty when they fit.
     */
    public static List<ValidationError> tooManyForOneApply(List<Resource> resources) {
        if (resources.size() <= MAX_TXN_OPS) {
            return List.of();
        }
        Resource first = resources.get(MAX_TXN_OPS);
        return List.of(new ValidationError(first.file(), first.line(), 1, "", "this apply holds " + resources.size()
                + " objects and one apply writes at most " + MAX_TXN_OPS + ", all or nothing, in one etcd transaction"
                + " (etcd's default --max-txn-ops); apply them in parts of at most " + MAX_TXN_OPS + " objects"));
    }

    /**
     * Writes all resources in one transaction (all or nothing) and says what changed for each. A stack whose spec (or
     * restart annotation) changes gets a revision with {@code cause} in the same transaction, as long as everything
     * fits in one (etcd takes {@link #MAX_TXN_OPS} compares and as many operations): a larger batch, which could be written before history
     * was kept, still is, and its revisions follow right after, each guarded by its stack's new mod revision and by
     * its revision key not existing yet (a stack changed again meanwhile got its own revision from that writer, and
     * that is logged).
     *
     * @param expected mod revisions (0: absent) that objects must still have, keyed by {@code kind/name}: a caller
     *                 that decided on what it read earlier (undo) writes only over exactly that
     * @throws ChangedException when an object no longer has its expected mod revision (nothing written)
     */
    public List<ApplyOutcome> apply(List<Resource> resources, String cause, Map<String, Long> expected) {
        List<ValidationError> tooMany = tooManyForOneApply(resources);
        if (!tooMany.isEmpty()) {
            throw new StoreException(tooMany.get(0).toString() + "; nothing was written");
        }
        for (int attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
            List<ApplyOutcome> outcomes = new ArrayList<>();
            List<EtcdKv.Guard> guards = new ArrayList<>();
            List<EtcdKv.Write> writes = new ArrayList<>();
            Map<String, StackRevisions.Extra> histories = new LinkedHashMap<>();
            Map<String, Pending> later = new LinkedHashMap<>();
            List<String> keysOf = resources.stream()
                    .map(r -> keys.desired(r.kind().singular(), r.metadata().name())).toList();
            List<Optional<StoredValue>> stored = kv.getAll(keysOf);
            Map<String, List<Long>> numbers = historyNumbers(resources, stored, attempt == 1);
            for (int i = 0; i < resources.size(); i++) {
                Resource resource = resources.get(i);
                String key = keysOf.get(i);
                Optional<StoredValue> current = stored.get(i);
                ObjectKey object = new ObjectKey(resource.kind().singular(), resource.metadata().name());
                long modRevision = current.map(StoredValue::modRevision).orElse(0L);
                Long wanted = expected.get(object.toString());
                if (wanted != null && wanted != modRevision) {
                    throw new ChangedException(object + " changed in etcd since it was read; nothing was written");
                }
                ApplyOutcome.Change change = classify(resource, current);
                outcomes.add(new ApplyOutcome(object, change));
                guards.add(new EtcdKv.Guard(key, modRevision));
                if (change != ApplyOutcome.Change.UNCHANGED) {
                    writes.add(new EtcdKv.Write(key, resource.yaml()));
                    StackRevisions.Extra history = isStack(resource.kind())
                            ? revisions.onWrite(resource.metadata().name(), numbers.get(resource.metadata().name()),
                            current, Optional.of(resource), cause)
                            : StackRevisions.Extra.NONE;
                    if (!history.writes().isEmpty()) {
                        histories.put(key, history);
                        later.put(key, new Pending(resource, current));
                    }
                }
            }
            if (writes.isEmpty()) {
                return outcomes;
            }
            int historyOps = histories.values().stream().mapToInt(h -> h.writes().size()).sum();
            int historyGuards = histories.values().stream().mapToInt(h -> h.guards().size()).sum();
            // etcd refuses (TooManyOps) a transaction whose compares, success operations or failure operations each
            // number more than --max-txn-ops (server checkTxnRequest: the largest of the three counts, not a sum):
            // the guards (one per object, changed or not, plus one per new revision key) are limited like the writes.
            if (guards.size() + historyGuards <= MAX_TXN_OPS && writes.size() + historyOps <= MAX_TXN_OPS) {
                List<EtcdKv.Write> all = new ArrayList<>(writes);
                histories.values().forEach(h -> {
                    all.addAll(h.writes());
                    guards.addAll(h.guards());
                });
                if (kv.commit(guards, all)) {
                    return outcomes;
                }
                continue;
            }
            long written = kv.commitAt(guards, writes);
            if (written != 0) {
                recordAllLater(later, histories, written, cause);
                return outcomes;
            }
        }
        if (!expected.isEmpty()) {
            throw new ChangedException("objects kept changing in etcd while applying; nothing was written");
        }
        throw new StoreException("objects kept changing in etcd while applying; nothing was written, try again");
    }

    /**
     * The history numbers of every stack the apply changes (a stack not in the map is unchanged), listed at once: an
     * apply of a hundred stacks read them one after another, a round trip each. With {@code newHaveNone} a stack not
     * in etcd is taken to have no history (deleting a stack deletes it) without asking: its revision is written only
     * if the key does not exist yet, so a history left over anyway refuses the write, and the next attempt (or the
     * one-by-one recording after a large batch) lists it.
     */
    private Map<String, List<Long>> historyNumbers(List<Resource> resources, List<Optional<StoredValue>> stored,
                                                   boolean newHaveNone) {
        List<String> stacks = new ArrayList<>();
        Map<String, List<Long>> numbers = new java.util.HashMap<>();
        for (int i = 0; i < resources.size(); i++) {
            Resource resource = resources.get(i);
            if (isStack(resource.kind()) && classify(resource, stored.get(i)) != ApplyOutcome.Change.UNCHANGED) {
                if (newHaveNone && stored.get(i).isEmpty()) {
                    numbers.put(resource.metadata().name(), List.of());
                } else {
                    stacks.add(resource.metadata().name());
                }
            }
        }
        if (!stacks.isEmpty()) {
            numbers.putAll(revisions.numbersOf(stacks));
        }
        return numbers;
    }

    /**
     * The revisions of a batch written without them: as many per transaction as etcd takes, each guarded by its
     * stack still being what was written and its revision keys not existing yet. A transaction refused (a stack
     * changed meanwhile) falls back to recording its stacks one by one.
     */
    private void recordAllLater(Map<String, Pending> later, Map<String, StackRevisions.Extra> histories, long written,
                                String cause) {
        List<String> chunk = new ArrayList<>();
        List<EtcdKv.Guard> guards = new ArrayList<>();
        List<EtcdKv.Write> writes = new ArrayList<>();
        for (String key : later.keySet()) {
            StackRevisions.Extra history = histories.get(key);
            int moreGuards = history.guards().size() + 1;
            if (!chunk.isEmpty() && (guards.size() + moreGuards > MAX_TXN_OPS
                    || writes.size() + history.writes().size() > MAX_TXN_OPS)) {
                commitLater(chunk, guards, writes, later, written, cause);
                chunk = new ArrayList<>();
                guards = new ArrayList<>();
                writes = new ArrayList<>();
            }
            chunk.add(key);
            guards.addAll(history.guards());
            guards.add(new EtcdKv.Guard(key, written));
            writes.addAll(history.writes());
        }
        if (!chunk.isEmpty()) {
            commitLater(chunk, guards, writes, later, written, cause);
        }
    }

    private void commitLater(List<String> chunk, List<EtcdKv.Guard> guards, List<EtcdKv.Write> writes,
                             Map<String, Pending> later, long written, String cause) {
        if (!kv.commit(guards, writes)) {
            chunk.forEach(key -> recordLater(key, written, later.get(key), cause));
        }
    }

    /**
     * The revision of a stack written without it (a batch too large for one transaction), while the stack still is
     * what was written; read again after a concurrent writer took the revision number. A stack written again
     * meanwhile got its revision from that writer, so this one is left out of its history, and said so.
     */
    private void recordLater(String key, long written, Pending pending, String cause) {
        for (int attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
            if (kv.get(key).map(StoredValue::modRevision).orElse(0L) != written) {
                break;
            }
            StackRevisions.Extra history = history(pending.resource(), pending.before(), cause);
            List<EtcdKv.Guard> guards = new ArrayList<>(history.guards());
            guards.add(new EtcdKv.Guard(key, written));
            if (kv.commit(guards, history.writes())) {
                return;
            }
        }
        LOG.warn("stack/{} changed again before its revision ({}) was recorded; its history lacks that revision",
                pending.resource().metadata().name(), cause);
    }

    /** A stack written by a large batch whose revision is still to be recorded, and what it replaced. */
    private record Pending(Resource resource, Optional<StoredValue> before) {
    }

    /**
     * Replaces one stored object with {@code yaml} if it still has the mod revision it was read at (compare and swap),
     * with its stack revision in the same transaction. {@code yaml} must parse into exactly one valid object.
     *
     * @return false when someone changed the object meanwhile (nothing written)
     */
    public boolean replace(StoredObject stored, String yaml, String cause) {
        ParseResult parsed = parser.parse(stored.raw().key(), yaml);
        if (!parsed.ok() || parsed.resources().size() != 1) {
            throw new StoreException(stored.key() + ": the new text is not one valid object: "
                    + (parsed.ok() ? parsed.resources().size() + " documents" : parsed.errors().get(0)));
        }
        List<EtcdKv.Write> writes = new ArrayList<>();
        writes.add(new EtcdKv.Write(stored.raw().key(), yaml));
        StackRevisions.Extra history = history(parsed.resources().get(0), Optional.of(stored.raw()), cause);
        writes.addAll(history.writes());
        List<EtcdKv.Guard> guards = new ArrayList<>(history.guards());
        guards.add(new EtcdKv.Guard(stored.raw().key(), stored.raw().modRevision()));
        return kv.commit(guards, writes);
    }

    private StackRevisions.Extra history(Resource resource, Optional<StoredValue> current, String cause) {
        return isStack(resource.kind())
                ? revisions.onWrite(resource.metadata().name(), current, Optional.of(resource), cause)
                : StackRevisions.Extra.NONE;
    }

    private static boolean isStack(KindDef kind) {
        return kind.kind().equals("Stack");
    }

    /** The result {@link #apply} would have, without writing anything. */
    public List<ApplyOutcome> preview(List<Resource> resources) {
        List<ApplyOutcome> outcomes = new ArrayList<>();
        for (Resource resource : resources) {
            String key = keys.desired(resource.kind().singular(), resource.metadata().name());
            outcomes.add(new ApplyOutcome(new ObjectKey(resource.kind().singular(), resource.metadata().name()),
                    classify(resource, kv.get(key))));
        }
        return outcomes;
    }

    private ApplyOutcome.Change classify(Resource resource, Optional<StoredValue> current) {
        if (current.isEmpty()) {
            return ApplyOutcome.Change.CREATED;
        }
        ParseResult stored = parser.parse(current.get().key(), current.get().value());
        boolean same = stored.ok() && stored.resources().size() == 1
                && stored.resources().get(0).canonicalJson().equals(resource.canonicalJson());
        return same ? ApplyOutcome.Change.UNCHANGED : ApplyOutcome.Change.CONFIGURED;
    }

    public List<StoredObject> list(KindDef kind) {
        List<StoredObject> objects = new ArrayList<>();
        for (StoredValue value : kv.list(keys.kindPrefix(kind.singular())).values()) {
            keys.parseDesired(value.key()).ifPresent(key -> objects.add(toObject(kind, key.name(), value)));
        }
        return objects;
    }

    public Optional<StoredObject> get(KindDef kind, String name) {
        return kv.get(keys.desired(kind.singular(), name)).map(value -> toObject(kind, name, value));
    }

    /** Turns a stored value into an object, recording parse errors instead of failing. */
    public StoredObject toObject(KindDef kind, String name, StoredValue value) {
        // The bytes, not the text: the same strict UTF-8 decoder as berth validate, so what it refuses is invalid here.
        ParseResult parsed = parser.parse(value.key(), value.bytes().getBytes());
        if (!parsed.ok()) {
            return new StoredObject(kind, name, value, Optional.empty(), parsed.errors());
        }
        if (parsed.resources().size() != 1) {
            return new StoredObject(kind, name, value, Optional.empty(), List.of(new dev.berth.crds.ValidationError(
                    value.key(), 1, 1, "", "expected exactly one document, found " + parsed.resources().size())));
        }
        Resource resource = parsed.resources().get(0);
        if (!resource.kind().equals(kind) || !resource.metadata().name().equals(name)) {
            return new StoredObject(kind, name, value, Optional.empty(), List.of(new dev.berth.crds.ValidationError(
                    value.key(), resource.line(), 1, "metadata.name",
                    "the document is " + resource.key() + " but is stored under " + kind.singular() + "/" + name)));
        }
        return new StoredObject(kind, name, value, Optional.of(resource), List.of());
    }

    /**
     * Deletes the desired object (a stack with its revision history, in one transaction); status keys stay until each
     * host has cleaned up and removed its own.
     */
    public boolean delete(KindDef kind, String name) {
        String key = keys.desired(kind.singular(), name);
        if (!isStack(kind)) {
            return kv.delete(key) > 0;
        }
        for (int attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
            Optional<StoredValue> current = kv.get(key);
            List<EtcdKv.Write> writes = new ArrayList<>();
            writes.add(new EtcdKv.Write(key, null));
            writes.addAll(revisions.onWrite(name, current, Optional.empty(), "").writes());
            if (kv.commit(List.of(new EtcdKv.Guard(key, current.map(StoredValue::modRevision).orElse(0L))), writes)) {
                return current.isPresent();
            }
        }
        throw new StoreException("stack/" + name + " kept changing in etcd while deleting it; try again");
    }

    public List<StoredValue> statuses(KindDef kind, String name) {
        return kv.list(keys.statusPrefix(kind.singular(), name)).values();
    }

    public Kinds kinds() {
        return kinds;
    }
}
