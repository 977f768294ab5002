package dev.berth.operator.cache;

import dev.berth.operator.kit.Source;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's decisions as this operator's informer mirrors them, by stack name. A record that does not decode,
 * or that names a host the cluster never saw (written by hand, or by a broken writer), counts as no decision: a host
 * keeps what it runs of the stack's replicated services and serves it, and the leader writes a new one.
 */
public final class Assignments implements Source<String> {
    private static final Logger log = LoggerFactory.getLogger(Assignments.class);

    private final EtcdInformer<StoredValue> informer;
    private final Predicate<String> knownHost;
    private final AssignmentJson json = new AssignmentJson();
    /** Decoded once per revision: every host change asks which stacks name it. */
    private final Map<String, Decoded> decoded = new ConcurrentHashMap<>();

    private record Decoded(long revision, Optional<StackAssignment> value) {
    }

    /** @param knownHost whether a host has a live record or a member record */
    public Assignments(EtcdInformer<StoredValue> informer, Predicate<String> knownHost) {
        this.informer = informer;
        this.knownHost = knownHost;
    }

    /** The raw codec an informer over {@link KeyLayout#assignmentsPrefix()} uses. */
    public static RawValues codec(KeyLayout keys) {
        return new RawValues(keys.assignmentsPrefix());
    }

    public boolean synced() {
        return informer.synced();
    }

    /** The stack's decision, when it decodes and names only hosts the cluster knows. */
    public Optional<StackAssignment> of(String stack) {
        return decoded(stack).filter(this::namesKnownHosts);
    }

    private boolean namesKnownHosts(StackAssignment a) {
        return a.assignments().stream().allMatch(x -> knownHost.test(x.host()))
                && a.handovers().stream().allMatch(h -> knownHost.test(h.from()) && knownHost.test(h.to()));
    }

    /**
     * The stack's decision as stored, even when it names hosts the cluster does not know: what the scheduler
     * repairs from (it keeps every replica on a known host and places only the others again).
     */
    public Optional<StackAssignment> stored(String stack) {
        return decoded(stack);
    }

    private Optional<StackAssignment> decoded(String stack) {
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
        } else if (!namesKnownHosts(value.get())) {
            log.warn("stack/{}: assignment at revision {} names a host that is not in the cluster; treated as no"
                    + " decision until the scheduler writes a new one", stack, raw.get().modRevision());
        }
        return value;
    }

    /** The mod revision of the stack's assignment key, 0 when there is none (an etcd guard for "must not exist"). */
    public long revision(String stack) {
        return informer.get(stack).map(StoredValue::modRevision).orElse(0L);
    }

    /**
     * Whether {@code host} runs replica {@code replica} of {@code service} that it should no longer serve: the
     * service is scheduled (the assignment mentions it) and that replica is assigned elsewhere or gone. While this
     * host hands the replica over, it stops serving when the move begins only if another replica of the service
     * serves meanwhile; a service's only replica serves here until its new copy runs.
     */
    public boolean leaving(String host, String stack, String service, int replica) {
        return of(stack).map(a -> {
            boolean scheduled = a.assignments().stream().anyMatch(x -> x.service().equals(service))
                    || a.handovers().stream().anyMatch(h -> h.service().equals(service))
                    || a.unschedulable().stream().anyMatch(u -> u.service().equals(service));
            if (!scheduled || a.assignments().stream().anyMatch(x -> x.service().equals(service)
                    && x.replica() == replica && x.host().equals(host))) {
                return false;
            }
            boolean handingOver = a.handovers().stream().anyMatch(h -> h.service().equals(service)
                    && h.replica() == replica && h.from().equals(host));
            boolean othersServe = a.assignments().stream().anyMatch(x -> x.service().equals(service)
                    && x.replica() != replica);
            return !handingOver || othersServe;
        }).orElse(false);
    }

    /** The stacks whose assignment names {@code host} (assigned, or either end of a handover), known or not. */
    public List<String> stacksNaming(String host) {
        List<String> stacks = new ArrayList<>();
        for (String stack : informer.names()) {
            decoded(stack).filter(a -> a.assignments().stream().anyMatch(x -> x.host().equals(host))
                    || a.handovers().stream().anyMatch(h -> h.from().equals(host) || h.to().equals(host)))
                    .ifPresent(a -> stacks.add(stack));
        }
        return stacks;
    }

    public Set<String> names() {
        return informer.names();
    }

    @Override
    public void addHandler(Consumer<String> handler) {
        informer.addHandler(handler);
    }
}
