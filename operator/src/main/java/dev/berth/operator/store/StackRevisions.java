package dev.berth.operator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.stack.StackAnnotations;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The last revisions of each stack's spec ({@code berth rollout history / undo}). Every writer of a stack adds what
 * {@link #onWrite} returns to the transaction that writes the stack, so the history and the stack never disagree.
 * That transaction is guarded by the stack key's mod revision, read before the history, and every revision it adds
 * by "that revision key does not exist yet": a concurrent writer that picked the same number makes it fail (the
 * caller reads again and retries), even when the stack and its history were written in two steps.
 */
public final class StackRevisions {
    public static final int DEFAULT_KEEP = 10;
    /** Change-cause of the first revision of a stack written before history was kept. */
    static final String UNKNOWN_CAUSE = "(before history was kept)";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final ManifestParser parser;
    private final int keep;
    private final Clock clock;

    public StackRevisions(EtcdKv kv, KeyLayout keys, ManifestParser parser, int keep, Clock clock) {
        if (keep < 1) {
            throw new IllegalArgumentException("revisions to keep must be at least 1: " + keep);
        }
        this.kv = kv;
        this.keys = keys;
        this.parser = parser;
        this.keep = keep;
        this.clock = clock;
    }

    /**
     * What to add to the transaction that writes a stack: revision keys to put and to delete, and the guards that
     * each revision put creates its key (never overwrites one a concurrent writer created).
     */
    public record Extra(List<EtcdKv.Write> writes, List<EtcdKv.Guard> guards) {
        public static final Extra NONE = new Extra(List.of(), List.of());

        public Extra {
            writes = List.copyOf(writes);
            guards = List.copyOf(guards);
        }
    }

    /**
     * The history writes for replacing {@code before} (empty: the stack is new) with {@code after} (empty: the stack is
     * deleted, and its history with it). Nothing when neither the spec nor the restart annotation changed: a label or a
     * GitSource's commit annotation is not a rollout.
     */
    public Extra onWrite(String stack, Optional<StoredValue> before, Optional<Resource> after, String cause) {
        return onWrite(stack, numbers(stack), before, after, cause);
    }

    /** {@link #onWrite(String, Optional, Optional, String)} with the stack's history numbers already read. */
    public Extra onWrite(String stack, List<Long> numbers, Optional<StoredValue> before, Optional<Resource> after,
                         String cause) {
        if (after.isEmpty()) {
            return new Extra(numbers.stream().map(n -> new EtcdKv.Write(key(stack, n), null)).toList(), List.of());
        }
        Optional<Resource> previous = before.flatMap(this::parse);
        if (previous.isPresent() && sameRollout(previous.get(), after.get())) {
            return Extra.NONE;
        }
        List<EtcdKv.Write> writes = new ArrayList<>();
        // From the highest key, not the highest entry that parses: an unreadable newest entry keeps its number.
        long next = numbers.isEmpty() ? 1 : numbers.get(numbers.size() - 1) + 1;
        List<Long> kept = new ArrayList<>(numbers);
        String now = clock.instant().toString();
        if (numbers.isEmpty() && before.isPresent()) {
            // A stack from before history was kept: record what runs now too, so the first undo has a target.
            StackRevision first = new StackRevision(next++, before.get().value(), UNKNOWN_CAUSE, now);
            writes.add(put(stack, first));
            kept.add(first.revision());
        }
        StackRevision added = new StackRevision(next, after.get().yaml(), cause, now);
        writes.add(put(stack, added));
        kept.add(added.revision());
        for (int i = 0; i < kept.size() - keep; i++) {
            writes.add(new EtcdKv.Write(key(stack, kept.get(i)), null));
        }
        List<EtcdKv.Guard> guards = writes.stream().filter(w -> w.value() != null)
                .map(w -> new EtcdKv.Guard(w.key(), 0)).toList();
        return new Extra(writes, guards);
    }

    /** The revision numbers that have a key under {@code stack}'s history, whether or not the entry parses; ascending. */
    private List<Long> numbers(String stack) {
        return numbers(stack, kv.list(keys.revisionsOf(stack)));
    }

    /** {@link #numbers(String)} of several stacks, read at once (an apply of a hundred new stacks: one round trip). */
    public java.util.Map<String, List<Long>> numbersOf(List<String> stacks) {
        List<EtcdKv.Listing> listings = kv.listAll(stacks.stream().map(keys::revisionsOf).toList());
        java.util.Map<String, List<Long>> all = new java.util.HashMap<>();
        for (int i = 0; i < stacks.size(); i++) {
            all.put(stacks.get(i), numbers(stacks.get(i), listings.get(i)));
        }
        return all;
    }

    private List<Long> numbers(String stack, EtcdKv.Listing listing) {
        String prefix = keys.revisionsOf(stack);
        List<Long> numbers = new ArrayList<>();
        for (StoredValue value : listing.values()) {
            String suffix = value.key().substring(prefix.length());
            if (!suffix.isEmpty() && suffix.chars().allMatch(c -> c >= '0' && c <= '9') && suffix.length() < 19) {
                numbers.add(Long.parseLong(suffix));
            }
        }
        numbers.sort(Comparator.naturalOrder());
        return numbers;
    }

    /** Same spec and same restart annotation: writing {@code after} over {@code before} rolls nothing out. */
    public static boolean sameRollout(Resource before, Resource after) {
        JsonNode a = JSON.valueToTree(before.spec());
        JsonNode b = JSON.valueToTree(after.spec());
        return a.equals(b) && Objects.equals(before.metadata().annotations().get(StackAnnotations.RESTARTED_AT),
                after.metadata().annotations().get(StackAnnotations.RESTARTED_AT));
    }

    /** The kept revisions of {@code stack}, oldest first; entries that do not parse are skipped. */
    public List<StackRevision> list(String stack) {
        String prefix = keys.revisionsOf(stack);
        List<StackRevision> revisions = new ArrayList<>();
        for (StoredValue value : kv.list(prefix).values()) {
            read(value.value()).filter(r -> value.key().equals(key(stack, r.revision()))).ifPresent(revisions::add);
        }
        revisions.sort(Comparator.comparingLong(StackRevision::revision));
        return revisions;
    }

    public Optional<StackRevision> get(String stack, long revision) {
        return kv.get(key(stack, revision)).flatMap(v -> read(v.value()));
    }

    String key(String stack, long revision) {
        return keys.revisionsOf(stack) + revision;
    }

    private EtcdKv.Write put(String stack, StackRevision revision) {
        try {
            return new EtcdKv.Write(key(stack, revision.revision()), JSON.writeValueAsString(revision));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write revision " + revision.revision() + " of stack/" + stack, e);
        }
    }

    static Optional<StackRevision> read(String json) {
        try {
            return Optional.of(JSON.readValue(json, StackRevision.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private Optional<Resource> parse(StoredValue value) {
        ParseResult parsed = parser.parse(value.key(), value.value());
        return parsed.ok() && parsed.resources().size() == 1 ? Optional.of(parsed.resources().get(0)) : Optional.empty();
    }
}
