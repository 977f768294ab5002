package dev.berth.operator.kit;

import java.time.Duration;
import java.util.Optional;

/** How a reconcile ended: done (maybe look again after a while), or failed (retry with backoff). */
public record ReconcileResult(boolean failed, Optional<Duration> requeueAfter, String error) {
    public static ReconcileResult done() {
        return new ReconcileResult(false, Optional.empty(), null);
    }

    public static ReconcileResult requeueAfter(Duration delay) {
        return new ReconcileResult(false, Optional.of(delay), null);
    }

    public static ReconcileResult failed(String error) {
        return new ReconcileResult(true, Optional.empty(), error);
    }
}
