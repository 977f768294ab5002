package dev.berth.operator.store;

/**
 * One recorded revision of a stack's spec, stored as JSON at {@code KeyLayout.revisionsOf(stack) + revision}.
 *
 * @param revision    1, 2, 3… per stack, never reused while the stack exists
 * @param manifest    the stack's YAML exactly as it was written to etcd
 * @param changeCause what wrote it: {@code berth apply}, {@code berth scale web=3}, {@code gitsource/NAME commit abc123}…
 * @param time        when it was written (ISO-8601, UTC)
 */
public record StackRevision(long revision, String manifest, String changeCause, String time) {
}
