package dev.berth.operator.waiting;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.KindDef;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.schedule.StackAssignment;
import dev.berth.reconcilers.stack.HostInfo;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@link StackSnapshot} from etcd: the stack, its status keys, the host records and its assignment (four
 * reads). A status or host record that does not decode is left out (it counts as not reported, so it can only delay
 * Ready, never fake it); an assignment that does not decode, or names another stack, counts as none, as it does for
 * the operators.
 */
public final class StackSnapshots {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ResourceStore store;
    private final EtcdKv kv;
    private final KindDef stackKind;
    private final StatusCodec statusCodec = new StatusCodec();
    private final AssignmentJson assignmentJson = new AssignmentJson();

    public StackSnapshots(ResourceStore store, EtcdKv kv) {
        this.store = store;
        this.kv = kv;
        this.stackKind = store.kinds().byKind("Stack").orElseThrow();
    }

    /** A snapshot and the store revision its first read saw: a watch from the revision after it misses nothing. */
    public record Read(StackSnapshot snapshot, long revision) {
    }

    public Read read(String name) {
        var keys = store.keys();
        EtcdKv.Listing statusList = kv.list(keys.statusPrefix(stackKind.singular(), name));
        Map<String, ObjectStatus> statuses = new HashMap<>();
        for (StoredValue value : statusList.values()) {
            String host = value.key().substring(keys.statusPrefix(stackKind.singular(), name).length());
            statusCodec.read(value.value()).filter(s -> host.equals(s.host())).ifPresent(s -> statuses.put(host, s));
        }
        Optional<StackSnapshot.Desired> desired = store.get(stackKind, name).map(StackSnapshots::desired);
        Map<String, HostInfo> hosts = new HashMap<>();
        for (StoredValue value : kv.list(keys.hostsPrefix()).values()) {
            String host = value.key().substring(keys.hostsPrefix().length());
            try {
                HostRecord record = JSON.readValue(value.value(), HostRecord.class);
                if (record != null && host.equals(record.name())) {
                    hosts.put(host, new HostInfo(host, record.labels()));
                }
            } catch (IOException e) {
                // Unreadable: left out, see the class comment.
            }
        }
        Optional<StackAssignment> assignment = kv.get(keys.assignment(name))
                .flatMap(v -> assignmentJson.read(v.value())).filter(a -> a.stack().equals(name));
        return new Read(new StackSnapshot(name, desired, statuses, hosts, assignment), statusList.revision());
    }

    private static StackSnapshot.Desired desired(StoredObject object) {
        String invalid = object.valid() ? null
                : object.errors().isEmpty() ? "the stored stack is not valid" : object.errors().get(0).toString();
        return new StackSnapshot.Desired(object.raw().modRevision(),
                object.resource().map(r -> r.spec(StackSpec.class)), invalid);
    }

    /**
     * The keys whose changes can change the verdict, watched as prefixes (the stack's key also matches longer names
     * that start with it: a change there costs one needless read, nothing more).
     */
    public List<String> watched(String name) {
        var keys = store.keys();
        return List.of(keys.statusPrefix(stackKind.singular(), name), keys.desired(stackKind.singular(), name),
                keys.assignment(name), keys.hostsPrefix());
    }
}
