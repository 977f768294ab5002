package dev.berth.reconcilers.schedule;

import dev.berth.crds.stack.Placement;
import java.util.Objects;

/**
 * What one service asks of the cluster. {@code service} is a key unique within one {@link Scheduler#plan} call
 * (a caller planning several stacks at once qualifies it, e.g. {@code web/httpd}). {@code placement} null or empty
 * means every host; {@code reservation}, {@code maxPerHost} and {@code spreadLabel} null mean none.
 * {@code fixedHostPort}: the service publishes a host port, which each host can bind once. {@code failover}
 * (default true): replicas on a down host are placed elsewhere; false keeps them bound to that host (host-local
 * data), and drain and rebalance leave them where they are.
 */
public record ServiceDemand(String service, int replicas, Placement placement, Reservation reservation,
                            Integer maxPerHost, String spreadLabel, boolean fixedHostPort, boolean failover) {
    public ServiceDemand {
        Objects.requireNonNull(service, "service");
        if (replicas < 0) {
            throw new IllegalArgumentException(service + ": replicas must not be negative, got " + replicas);
        }
        if (maxPerHost != null && maxPerHost < 1) {
            throw new IllegalArgumentException(service + ": maxPerHost must be at least 1, got " + maxPerHost);
        }
        if (spreadLabel != null && spreadLabel.isBlank()) {
            throw new IllegalArgumentException(service + ": spread names no label");
        }
        placement = placement == null ? new Placement(null, null) : placement;
    }

    /** With failover. */
    public ServiceDemand(String service, int replicas, Placement placement, Reservation reservation,
                         Integer maxPerHost, String spreadLabel, boolean fixedHostPort) {
        this(service, replicas, placement, reservation, maxPerHost, spreadLabel, fixedHostPort, true);
    }

    /** Replicas anywhere, with no placement, reservation or limits. */
    public static ServiceDemand of(String service, int replicas) {
        return new ServiceDemand(service, replicas, null, null, null, null, false, true);
    }

    public ServiceDemand withPlacement(Placement p) {
        return new ServiceDemand(service, replicas, p, reservation, maxPerHost, spreadLabel, fixedHostPort, failover);
    }

    public ServiceDemand withReservation(Reservation r) {
        return new ServiceDemand(service, replicas, placement, r, maxPerHost, spreadLabel, fixedHostPort, failover);
    }

    public ServiceDemand withMaxPerHost(Integer max) {
        return new ServiceDemand(service, replicas, placement, reservation, max, spreadLabel, fixedHostPort, failover);
    }

    public ServiceDemand withSpread(String label) {
        return new ServiceDemand(service, replicas, placement, reservation, maxPerHost, label, fixedHostPort, failover);
    }

    public ServiceDemand withFixedHostPort(boolean fixed) {
        return new ServiceDemand(service, replicas, placement, reservation, maxPerHost, spreadLabel, fixed, failover);
    }

    public ServiceDemand withFailover(boolean f) {
        return new ServiceDemand(service, replicas, placement, reservation, maxPerHost, spreadLabel, fixedHostPort, f);
    }
}
