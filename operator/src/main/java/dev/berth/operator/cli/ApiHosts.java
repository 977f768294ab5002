package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ReplicaStatus;
import dev.berth.operator.api.ApiClient;
import dev.berth.operator.api.ApiToken;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What logs and exec need from etcd: where each container of a stack runs (the status each host writes) and how to
 * reach that host's operator API (its live host record and the cluster token). Whoever can read the prefix can call
 * the API: that is the whole authorisation.
 */
final class ApiHosts {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One container of the stack, on the host whose status lists it. */
    record Located(String host, ReplicaStatus replica) {
        String prefix() {
            return host + "/" + replica.name();
        }
    }

    private final StoreSession session;
    private String token;

    ApiHosts(StoreSession session) {
        this.session = session;
    }

    /** The stack's containers that match, by host then name, from every host's status (live or not). */
    List<Located> locate(ReplicaTarget target) {
        StatusCodec codec = new StatusCodec();
        List<Located> found = new ArrayList<>();
        for (StoredValue value : session.kv().list(session.store().keys().statusPrefix("stack", target.stack())).values()) {
            codec.read(value.value()).ifPresent((ObjectStatus status) -> {
                for (ReplicaStatus r : status.replicas()) {
                    if (status.host() != null && target.matches(r.service(), r.replica())) {
                        found.add(new Located(status.host(), r));
                    }
                }
            });
        }
        found.sort(Comparator.comparing(Located::host).thenComparing(l -> l.replica().name()));
        return found;
    }

    /** Live host records by name (a record that does not parse is left out). */
    Map<String, HostRecord> liveHosts() {
        String prefix = session.store().keys().hostsPrefix();
        Map<String, HostRecord> hosts = new HashMap<>();
        for (StoredValue value : session.kv().list(prefix).values()) {
            try {
                HostRecord record = JSON.readValue(value.value(), HostRecord.class);
                hosts.put(value.key().substring(prefix.length()), record);
            } catch (Exception e) {
                // Unreadable: that host is treated as down.
            }
        }
        return hosts;
    }

    /** A client of {@code host}'s API, or a one-line reason it cannot be reached. */
    ApiClient client(String host, Map<String, HostRecord> live) {
        HostRecord record = live.get(host);
        if (record == null) {
            throw new CliException("host " + host + " is down (no live host record); its containers cannot be reached");
        }
        HostRecord.ApiEndpoint api = record.api();
        if (api == null || api.address() == null || api.certSha256() == null) {
            throw new CliException("host " + host + " publishes no operator API (started with --api-off, or an older"
                    + " operator)");
        }
        return new ApiClient(host, api.address(), api.certSha256(), token());
    }

    /** The cluster token, read (or written first) once; logs calls it on its main thread before any stream starts. */
    synchronized String token() {
        if (token == null) {
            token = new ApiToken(session.kv(), session.store().keys()).load();
        }
        return token;
    }
}
