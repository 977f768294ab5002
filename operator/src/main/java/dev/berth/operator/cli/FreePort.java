package dev.berth.operator.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks that a listen address is free before the operator builds anything: a port in use is then one line, not a
 * BindException's trace from halfway through start-up with clients already open. Port 0 (any) is always free.
 */
final class FreePort {
    private FreePort() {
    }

    static void require(InetSocketAddress address) {
        if (address.getPort() == 0) {
            return;
        }
        String where = "port " + address.getPort() + " on " + address.getHostString();
        if (address.isUnresolved()) {
            throw new CliException(where + ": cannot resolve " + address.getHostString());
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(address);
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            throw new CliException(where + (why.contains("in use") ? " is in use: " : ": cannot listen: ") + why);
        }
    }
}
