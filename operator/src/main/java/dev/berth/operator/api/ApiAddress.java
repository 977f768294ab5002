package dev.berth.operator.api;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The address the host record publishes for the CLI: {@code --api-advertise} as given; else the listen address when it
 * names one (a loopback address given on purpose included); else (listening on every address) the underlay IP; else
 * nothing: guessing the machine's address gives loopback or link-local ones no other host can reach, so the CLI had
 * better say the host has no API.
 */
public final class ApiAddress {
    private ApiAddress() {
    }

    public static Optional<String> advertise(ApiSettings settings, int boundPort, Optional<String> underlayIp) {
        if (settings.advertise() != null && !settings.advertise().isBlank()) {
            return Optional.of(settings.advertise());
        }
        InetAddress listen = settings.listen().getAddress();
        Optional<String> ip = listen != null && !listen.isAnyLocalAddress()
                ? Optional.of(listen.getHostAddress()) : underlayIp;
        return ip.map(a -> (a.contains(":") ? "[" + a + "]" : a) + ":" + boundPort);
    }
}
