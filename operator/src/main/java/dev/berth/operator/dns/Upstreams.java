package dev.berth.operator.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Where names that are not Berth's are forwarded: {@code --dns-upstream}, else the host's /etc/resolv.conf. */
public final class Upstreams {
    /** Docker's embedded DNS: only reachable inside a container's namespace, and it would forward back to us. */
    private static final String DOCKER_EMBEDDED = "127.0.0.11";

    private Upstreams() {
    }

    /**
     * {@code HOST[:PORT],...} (IPv6 in brackets when a port follows: {@code [::1]:53}); port 53 unless given.
     *
     * @throws IllegalArgumentException naming the entry that is not an address
     */
    public static List<InetSocketAddress> parse(String list) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String raw : list.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            String host = entry;
            int port = 53;
            if (entry.startsWith("[")) {
                int close = entry.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("not HOST[:PORT]: " + entry);
                }
                host = entry.substring(1, close);
                String rest = entry.substring(close + 1);
                if (rest.startsWith(":")) {
                    port = port(entry, rest.substring(1));
                } else if (!rest.isEmpty()) {
                    throw new IllegalArgumentException("not HOST[:PORT]: " + entry);
                }
            } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
                host = entry.substring(0, entry.indexOf(':'));
                port = port(entry, entry.substring(entry.indexOf(':') + 1));
            }
            try {
                out.add(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("unknown upstream resolver host: " + entry);
            }
        }
        return out;
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port in " + entry + ": " + text);
        }
    }

    /**
     * The upstreams a container can ask itself, as Docker's {@code --dns} takes them (an address, port 53): not
     * loopback, link-local or wildcard, which mean the host's own namespace and not the container's.
     */
    public static List<String> reachableFromContainers(List<InetSocketAddress> upstreams) {
        return upstreams.stream().filter(u -> u.getPort() == 53 && u.getAddress() != null)
                .filter(u -> !u.getAddress().isLoopbackAddress() && !u.getAddress().isLinkLocalAddress()
                        && !u.getAddress().isAnyLocalAddress())
                .map(u -> u.getAddress().getHostAddress()).distinct().toList();
    }

    /** The nameservers of this host's /etc/resolv.conf (none when it cannot be read). */
    public static List<InetSocketAddress> ofThisHost() {
        try {
            return fromResolvConf(java.nio.file.Files.readString(java.nio.file.Path.of("/etc/resolv.conf")));
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** The {@code nameserver} lines of a resolv.conf, port 53, without Docker's embedded DNS; unreadable lines skipped. */
    public static List<InetSocketAddress> fromResolvConf(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver") && !words[1].equals(DOCKER_EMBEDDED)) {
                String address = words[1].contains("%") ? words[1].substring(0, words[1].indexOf('%')) : words[1];
                if (!address.matches("[0-9a-fA-F.:]+")) {
                    continue;
                }
                try {
                    out.add(new InetSocketAddress(InetAddress.getByName(address), 53));
                } catch (UnknownHostException e) {
                    // a literal that does not parse: skip the line as the C resolver does
                }
            }
        }
        return out;
    }
}
