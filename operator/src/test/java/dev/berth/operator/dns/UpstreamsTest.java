package dev.berth.operator.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamsTest {
    @Test
    void hostAndOptionalPortIpv6InBrackets() {
        assertEquals(List.of(new InetSocketAddress("10.0.0.2", 53), new InetSocketAddress("10.0.0.3", 5353),
                        new InetSocketAddress("::1", 53), new InetSocketAddress("::1", 5300), new InetSocketAddress("fd00::1", 53)),
                Upstreams.parse("10.0.0.2, 10.0.0.3:5353,[::1],[::1]:5300,fd00::1"));
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("10.0.0.2:notaport"));
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("10.0.0.2:70000"));
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("[::1"));
    }

    @Test
    void resolvConfNameserversWithoutDockersEmbeddedDns() {
        String conf = """
                # generated
                search example.com
                nameserver 127.0.0.11
                nameserver 192.168.1.1
                  nameserver   fe80::1%eth0
                nameserver not-an-address
                options ndots:0
                """;
        assertEquals(List.of(new InetSocketAddress("192.168.1.1", 53), new InetSocketAddress("fe80::1", 53)),
                Upstreams.fromResolvConf(conf));
    }

    @Test
    void containersFallBackOnlyToResolversTheyCanReachThemselves() {
        assertEquals(List.of("192.168.1.1", "10.0.0.9"), Upstreams.reachableFromContainers(List.of(
                new InetSocketAddress("127.0.0.53", 53), new InetSocketAddress("192.168.1.1", 53),
                new InetSocketAddress("fe80::1", 53), new InetSocketAddress("10.0.0.8", 5353),
                new InetSocketAddress("10.0.0.9", 53), new InetSocketAddress("192.168.1.1", 53))),
                "no loopback (the host's own namespace), no link-local, no other port (Docker's --dns takes addresses)");
    }
}
