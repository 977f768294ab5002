package dev.berth.operator.dns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.Endpoint;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name table the responder answers from, kept from the etcd mirrors: every host's endpoint lists
 * ({@code v1/endpoints/<network>/<host>}), the live host records, and the probe reports that keep an Unknown host's
 * lists counting. A table is built when a query comes after any of them changed, and at least every second (a host
 * turns from Unknown to gone with time alone), so a change in etcd is in the answers at the next query.
 */
public final class NameDirectory {
    private static final Logger log = LoggerFactory.getLogger(NameDirectory.class);
    private static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final EtcdInformer<StoredValue> endpoints;
    private final Supplier<Set<String>> countedHosts;
    private final Supplier<Map<String, Ipv4Cidr>> localRanges;
    private final Supplier<Set<String>> declared;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Decoded lists by key name, with the revision they were decoded at: most keys do not change between tables. */
    private final Map<String, Decoded> decoded = new HashMap<>();
    private volatile boolean dirty = true;
    private volatile NameTable table = new NameTable(Map.of(), Set.of(), Map.of(), Set.of());
    private volatile long builtAt;

    private record Decoded(long revision, List<Endpoint> endpoints) {
    }

    /**
     * @param endpoints    the endpoint lists, named {@code <network>/<host>}
     * @param countedHosts hosts whose lists count: a live record, or Unknown (see {@code Reachability})
     * @param localRanges  this host's range of each Network it takes part in
     * @param declared     every declared service as "service.stack"
     */
    public NameDirectory(EtcdInformer<StoredValue> endpoints, Supplier<Set<String>> countedHosts,
                         Supplier<Map<String, Ipv4Cidr>> localRanges, Supplier<Set<String>> declared) {
        this.declared = declared;
        this.endpoints = endpoints;
        this.countedHosts = countedHosts;
        this.localRanges = localRanges;
        endpoints.addHandler(name -> dirty = true);
    }

    /** Something the table depends on changed (a host record, a probe report): the next query builds it again. */
    public void changed() {
        dirty = true;
    }

    /** The table as of now. */
    public NameTable table() {
        if (dirty || System.nanoTime() - builtAt > MAX_AGE_NANOS) {
            rebuild();
        }
        return table;
    }

    private synchronized void rebuild() {
        if (!dirty && System.nanoTime() - builtAt <= MAX_AGE_NANOS) {
            return;
        }
        dirty = false;
        Map<String, Map<String, List<Endpoint>>> lists = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (String name : endpoints.names()) {
            int slash = name.indexOf('/');
            if (slash <= 0 || slash == name.length() - 1 || name.indexOf('/', slash + 1) >= 0) {
                continue;
            }
            StoredValue value = endpoints.get(name).orElse(null);
            if (value == null) {
                continue;
            }
            seen.add(name);
            Decoded known = decoded.get(name);
            if (known == null || known.revision() != value.modRevision()) {
                known = new Decoded(value.modRevision(), decode(name, value));
                decoded.put(name, known);
            }
            lists.computeIfAbsent(name.substring(0, slash), k -> new TreeMap<>()).put(name.substring(slash + 1),
                    known.endpoints());
        }
        decoded.keySet().retainAll(seen);
        table = new NameTable(lists, countedHosts.get(), localRanges.get(), declared.get());
        builtAt = System.nanoTime();
    }

    /** A list that does not decode (another version's, hand-written) names nothing: that host's names are unknown. */
    private List<Endpoint> decode(String name, StoredValue value) {
        try {
            List<Endpoint> list = json.readValue(value.value(), new TypeReference<List<Endpoint>>() {
            });
            return list == null ? List.of() : list;
        } catch (JsonProcessingException e) {
            log.warn("endpoints/{}: list at revision {} does not decode ({}); its names are not answered",
                    name, value.modRevision(), e.getOriginalMessage());
            return List.of();
        }
    }
}
