package dev.berth.operator.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's one voice about etcd refusing it after start (a password changed, a role revoked): one warning
 * when it begins, then at most one a minute while it lasts, and one line when etcd accepts the operator again. Every
 * part of the operator retries on its own meanwhile and stays quiet about it ({@link #warnUnlessRefused}); /readyz
 * says not ready. Sits in front of the metrics listener of the operator's {@link EtcdKv}.
 */
public final class RefusalWarnings implements EtcdKv.CallListener {
    public static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(RefusalWarnings.class);

    private final EtcdKv.CallListener next;
    private final Clock clock;
    private Instant lastWarning;
    private boolean refused;

    public RefusalWarnings(EtcdKv.CallListener next, Clock clock) {
        this.next = next;
        this.clock = clock;
    }

    /** This voice without the metrics behind it: for calls that are not counted, such as /readyz's probe. */
    public EtcdKv.CallListener uncounted() {
        RefusalWarnings self = this;
        return new EtcdKv.CallListener() {
            @Override
            public void call(String operation, String outcome, long nanos) {
                self.outcome(operation, outcome);
            }

            @Override
            public void refused(EtcdRefusedException e) {
                self.refused(e);
            }
        };
    }

    @Override
    public void call(String operation, String outcome, long nanos) {
        next.call(operation, outcome, nanos);
        outcome(operation, outcome);
    }

    /**
     * A call on keys that worked: etcd accepts the operator again. Lease calls prove nothing (a role covers keys, not
     * leases: a user whose role was revoked still gets leases granted), and the once-a-minute limit outlives a
     * return, so a refusal that comes and goes is not a warning each time.
     */
    private void outcome(String operation, String outcome) {
        if ("success".equals(outcome) && !operation.startsWith("lease_")) {
            synchronized (this) {
                if (!refused) {
                    return;
                }
                refused = false;
            }
            log.info("etcd: accepts this operator again");
        }
    }

    @Override
    public void watches(String prefix, int delta) {
        next.watches(prefix, delta);
    }

    @Override
    public void refused(EtcdRefusedException e) {
        Instant now = clock.instant();
        synchronized (this) {
            refused = true;
            if (lastWarning != null && now.isBefore(lastWarning.plus(INTERVAL))) {
                return;
            }
            lastWarning = now;
        }
        log.warn("etcd: refuses this operator, retrying; /readyz is not ready (this repeats once a minute while it"
                + " lasts): {}", e.getMessage());
    }

    /**
     * A part's own warning about a failed etcd call, unless etcd refused the operator: {@link RefusalWarnings} says
     * that once for all parts, which would otherwise say it every few seconds each. A refusal still goes to debug.
     */
    public static void warnUnlessRefused(Logger log, Throwable error, String format, Object... arguments) {
        if (EtcdRefusals.isRefusal(error)) {
            log.debug(format, arguments);
        } else {
            log.warn(format, arguments);
        }
    }
}
