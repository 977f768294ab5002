package dev.berth.operator.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The address the host record publishes for the CLI: {@code --api-advertise} as given; else the listen address when it
 * names one; else (listening on every address) the underlay IP, else the machine's own address; with the port the
 * server actually bound (port 0 picks one).
 */
public final class ApiAddress {
    private ApiAddress() {
    }

    public static String advertise(ApiSettings settings, int boundPort, Optional<String> underlayIp) {
        if (settings.advertise() != null && !settings.advertise().isBlank()) {
            return settings.advertise();
        }
        InetAddress listen = settings.listen().getAddress();
        String ip;
        if (listen != null && !listen.isAnyLocalAddress()) {
            ip = listen.getHostAddress();
        } else {
            ip = underlayIp.orElseGet(ApiAddress::machine);
        }
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + boundPort;
    }

    private static String machine() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
