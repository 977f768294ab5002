package dev.berth.operator.cache;

import dev.berth.operator.kit.Source;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's decisions as this operator's informer mirrors them, by stack name. A record that does not decode
 * counts as no decision: a host keeps what it runs of the stack's replicated services and the leader rewrites it.
 */
public final class Assignments implements Source<String> {
    private static final Logger log = LoggerFactory.getLogger(Assignments.class);

    private final EtcdInformer<StoredValue> informer;
    private final AssignmentJson json = new AssignmentJson();
    /** Decoded once per revision: every host change asks which stacks name it. */
    private final java.util.Map<String, Decoded> decoded = new java.util.concurrent.ConcurrentHashMap<>();

    private record Decoded(long revision, Optional<StackAssignment> value) {
    }

    public Assignments(EtcdInformer<StoredValue> informer) {
        this.informer = informer;
    }

    /** The raw codec an informer over {@link KeyLayout#assignmentsPrefix()} uses. */
    public static RawValues codec(KeyLayout keys) {
        return new RawValues(keys.assignmentsPrefix());
    }

    public boolean synced() {
        return informer.synced();
    }

    public Optional<StackAssignment> of(String stack) {
        Optional<StoredValue> raw = informer.get(stack);
        if (raw.isEmpty()) {
            decoded.remove(stack);
            return Optional.empty();
        }
        Decoded known = decoded.get(stack);
        if (known != null && known.revision() == raw.get().modRevision()) {
            return known.value();
        }
        Optional<StackAssignment> value = json.read(raw.get().value()).filter(a -> a.stack().equals(stack));
        decoded.put(stack, new Decoded(raw.get().modRevision(), value));
        if (value.isEmpty()) {
            log.warn("stack/{}: assignment at revision {} does not decode; treated as no decision", stack,
                    raw.get().modRevision());
        }
        return value;
    }

    /** The mod revision of the stack's assignment key, 0 when there is none (an etcd guard for "must not exist"). */
    public long revision(String stack) {
        return informer.get(stack).map(StoredValue::modRevision).orElse(0L);
    }

    /**
     * Whether {@code host} runs replica {@code replica} of {@code service} without it being assigned there any
     * longer: the service is scheduled (its assignment lists it) and that replica is assigned elsewhere or gone.
     * A stack or service the assignment does not mention (global, or no decision yet) is not leaving.
     */
    public boolean leaving(String host, String stack, String service, int replica) {
        return of(stack).map(a -> {
            boolean scheduled = a.assignments().stream().anyMatch(x -> x.service().equals(service))
                    || a.handovers().stream().anyMatch(h -> h.service().equals(service))
                    || a.unschedulable().stream().anyMatch(u -> u.service().equals(service));
            return scheduled && a.assignments().stream().noneMatch(x -> x.service().equals(service)
                    && x.replica() == replica && x.host().equals(host));
        }).orElse(false);
    }

    /** The stacks whose assignment names {@code host} (assigned, or either end of a handover). */
    public java.util.List<String> stacksNaming(String host) {
        java.util.List<String> stacks = new java.util.ArrayList<>();
        for (String stack : informer.names()) {
            of(stack).filter(a -> a.assignments().stream().anyMatch(x -> x.host().equals(host))
                    || a.handovers().stream().anyMatch(h -> h.from().equals(host) || h.to().equals(host)))
                    .ifPresent(a -> stacks.add(stack));
        }
        return stacks;
    }

    public java.util.Set<String> names() {
        return informer.names();
    }

    @Override
    public void addHandler(Consumer<String> handler) {
        informer.addHandler(handler);
    }
}
