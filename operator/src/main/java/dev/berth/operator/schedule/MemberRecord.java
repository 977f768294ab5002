package dev.berth.operator.schedule;

/**
 * A host the cluster has seen, stored at {@code <root>/v1/members/<host>} without a lease, so a host whose
 * operator died is still listed (as Down). Written only by the scheduler leader, and only when a host comes or
 * goes: {@code lastSeen} is when its live record was last seen, {@code downSince} when the leader saw the record go
 * (null while it is up). Failover waits {@code --failover-after} from {@code downSince}; a new leader continues from
 * the same time instead of starting over.
 */
public record MemberRecord(String host, String lastSeen, String downSince) {
    public boolean down() {
        return downSince != null;
    }
}
