package dev.berth.operator.schedule;

/**
 * A host taken out of scheduling by {@code berth cordon host H} or {@code berth drain host H}, stored at
 * {@code <root>/v1/cordons/<host>} (no lease: it outlives the operator). Cordoned: no new replicas, the ones it runs
 * stay. Draining: also move every replica it runs elsewhere, one at a time. {@code berth uncordon} deletes it.
 */
public record CordonRecord(String host, boolean drain, String since) {
}
