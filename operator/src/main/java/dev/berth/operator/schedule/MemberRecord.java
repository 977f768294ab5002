package dev.berth.operator.schedule;

import java.util.Map;

/**
 * A host the cluster has seen, stored at {@code <root>/v1/members/<host>} without a lease, so a host whose
 * operator died is still listed (as Down). Written only by the scheduler leader, and only when a host comes or
 * goes: {@code lastSeen} is when its live record was last seen, {@code downSince} when the leader saw the record go
 * (null while it is up). Failover waits {@code --failover-after} from {@code downSince}; a new leader continues from
 * the same time instead of starting over. {@code labels} are the host's labels when it was last seen, so placement
 * rules still hold for a host that is down.
 */
public record MemberRecord(String host, String lastSeen, String downSince, Map<String, String> labels) {
    public MemberRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public MemberRecord(String host, String lastSeen, String downSince) {
        this(host, lastSeen, downSince, null);
    }

    public boolean down() {
        return downSince != null;
    }
}
