package dev.berth.operator.kit;

import java.time.Duration;
import java.util.Optional;

/**
 * How a reconcile ended: done (maybe look again after a while), or failed (retry with backoff). A quiet failure is
 * retried the same way without a warning per attempt: something else reports its cause once (etcd refusing the
 * operator is told once a minute by RefusalWarnings).
 */
public record ReconcileResult(boolean failed, Optional<Duration> requeueAfter, String error, boolean quiet) {
    public static ReconcileResult done() {
        return new ReconcileResult(false, Optional.empty(), null, false);
    }

    public static ReconcileResult requeueAfter(Duration delay) {
        return new ReconcileResult(false, Optional.of(delay), null, false);
    }

    public static ReconcileResult failed(String error) {
        return new ReconcileResult(true, Optional.empty(), error, false);
    }

    public static ReconcileResult failedQuietly(String error) {
        return new ReconcileResult(true, Optional.empty(), error, true);
    }
}
