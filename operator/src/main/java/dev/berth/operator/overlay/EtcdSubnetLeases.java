package dev.berth.operator.overlay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.network.Ipv4Cidr;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.overlay.SubnetLeases;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subnet leases in etcd, flannel-style: {@code <root>/v1/leases/<network>/<host>} names the host's range and
 * {@code <root>/v1/leases/<network>/ranges/<base>} claims the range. Both are created in one transaction that
 * requires both keys to be absent, so two hosts racing for the same range cannot both win; the loser retries
 * with the next free one.
 */
public final class EtcdSubnetLeases implements SubnetLeases {
    private static final Logger log = LoggerFactory.getLogger(EtcdSubnetLeases.class);
    private static final int ATTEMPTS = 20;

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final ObjectMapper json = new ObjectMapper();

    /** The stored lease; JSON so {@code etcdctl get} shows it readably. */
    public record Lease(String host, String range) {
    }

    public EtcdSubnetLeases(EtcdKv kv, KeyLayout keys) {
        this.kv = kv;
        this.keys = keys;
    }

    private String prefix(String network) {
        return keys.base() + "leases/" + network + "/";
    }

    private String hostKey(String network, String host) {
        return prefix(network) + host;
    }

    private String rangeKey(String network, Ipv4Cidr range) {
        return prefix(network) + "ranges/" + Ipv4Cidr.dotted(range.base());
    }

    @Override
    public Optional<Ipv4Cidr> current(String network, String host) {
        return kv.get(hostKey(network, host)).map(v -> read(v).range()).map(Ipv4Cidr::parse);
    }

    /** Every host's range on the Network, by host (read-only: for the prober and {@code berth doctor}). */
    public java.util.Map<String, Ipv4Cidr> ranges(String network) {
        java.util.Map<String, Ipv4Cidr> ranges = new java.util.TreeMap<>();
        for (StoredValue value : kv.list(prefix(network)).values()) {
            String host = value.key().substring(prefix(network).length());
            if (!host.isEmpty() && !host.contains("/")) {
                try {
                    ranges.put(host, Ipv4Cidr.parse(read(value).range()));
                } catch (RuntimeException e) {
                    // Unreadable lease: that host cannot be probed until it writes its lease again.
                }
            }
        }
        return ranges;
    }

    @Override
    public Ipv4Cidr acquire(String network, Ipv4Cidr subnet, int hostPrefix, String host) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<Ipv4Cidr> mine = current(network, host);
            if (mine.isPresent() && subnet.contains(mine.get()) && mine.get().prefix() == hostPrefix) {
                return mine.get();
            }
            if (mine.isPresent()) {
                // The Network's subnet or hostPrefix changed: the old range is no longer valid.
                release(network, host);
            }
            Set<Long> taken = new HashSet<>();
            List<StoredValue> claims = kv.list(prefix(network) + "ranges/").values();
            for (StoredValue claim : claims) {
                taken.add(Ipv4Cidr.address(claim.key().substring(claim.key().lastIndexOf('/') + 1)));
            }
            long blocks = 1L << (hostPrefix - subnet.prefix());
            Ipv4Cidr free = null;
            for (long i = 0; i < blocks; i++) {
                Ipv4Cidr candidate = subnet.child(hostPrefix, i);
                if (!taken.contains(candidate.base())) {
                    free = candidate;
                    break;
                }
            }
            if (free == null) {
                throw new StoreException("network " + network + ": all " + blocks + " host ranges of " + subnet
                        + " are leased; use a larger subnet or a longer hostPrefix");
            }
            String value = write(new Lease(host, free.toString()));
            boolean won = kv.commit(
                    List.of(new EtcdKv.Guard(hostKey(network, host), 0), new EtcdKv.Guard(rangeKey(network, free), 0)),
                    List.of(new EtcdKv.Write(hostKey(network, host), value), new EtcdKv.Write(rangeKey(network, free), value)));
            if (won) {
                log.info("network/{}: host {} leased {}", network, host, free);
                return free;
            }
        }
        throw new StoreException("network " + network + ": could not lease a range after " + ATTEMPTS + " attempts");
    }

    @Override
    public void release(String network, String host) {
        Optional<StoredValue> lease = kv.get(hostKey(network, host));
        if (lease.isEmpty()) {
            return;
        }
        Ipv4Cidr range = Ipv4Cidr.parse(read(lease.get()).range());
        String rangeKey = rangeKey(network, range);
        Optional<StoredValue> claim = kv.get(rangeKey);
        boolean claimIsMine = claim.map(c -> host.equals(read(c).host())).orElse(false);
        // Delete the claim only if it is still ours and unchanged, and the lease only if unchanged.
        List<EtcdKv.Guard> guards = claimIsMine
                ? List.of(new EtcdKv.Guard(lease.get().key(), lease.get().modRevision()), new EtcdKv.Guard(rangeKey, claim.get().modRevision()))
                : List.of(new EtcdKv.Guard(lease.get().key(), lease.get().modRevision()));
        List<EtcdKv.Write> writes = claimIsMine
                ? List.of(new EtcdKv.Write(lease.get().key(), null), new EtcdKv.Write(rangeKey, null))
                : List.of(new EtcdKv.Write(lease.get().key(), null));
        if (kv.commit(guards, writes)) {
            log.info("network/{}: host {} released {}", network, host, range);
        }
    }

    private Lease read(StoredValue value) {
        try {
            return json.readValue(value.value(), Lease.class);
        } catch (JsonProcessingException e) {
            throw new StoreException("unreadable subnet lease at " + value.key() + ": " + e.getOriginalMessage());
        }
    }

    private String write(Lease lease) {
        try {
            return json.writeValueAsString(lease);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
