package dev.berth.operator.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How this host's name responder runs. {@code enabled}: answer at all (it also needs the operator in the Docker host's
 * own network namespace, where the gateways are); {@code upstreams}: where names that are not Berth's go (empty: the
 * nameservers of /etc/resolv.conf); {@code forwardTimeout}: how long all upstreams together may take before the
 * container gets SERVFAIL, shorter than Docker's embedded DNS waits for us so that an answer reaches the container.
 */
public record DnsSettings(boolean enabled, List<InetSocketAddress> upstreams, Duration forwardTimeout) {
    public static final Duration DEFAULT_FORWARD_TIMEOUT = Duration.ofSeconds(2);

    public DnsSettings {
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        forwardTimeout = forwardTimeout == null ? DEFAULT_FORWARD_TIMEOUT : forwardTimeout;
    }

    /** On, forwarding to the nameservers of /etc/resolv.conf. */
    public static DnsSettings defaults() {
        return new DnsSettings(true, List.of(), DEFAULT_FORWARD_TIMEOUT);
    }
}
