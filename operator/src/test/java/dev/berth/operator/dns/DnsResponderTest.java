package dev.berth.operator.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.Await;
import dev.berth.operator.metrics.BerthRegistry;
import dev.berth.reconcilers.docker.Endpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The responder with real sockets on loopback addresses (each 127.0.0.x is a source of its own), asked with dnsjava's
 * own client: Berth names answered, other names forwarded to a resolver the test runs, SERVFAIL when that resolver
 * is silent, a flood from one source refused while another source is still answered at once.
 */
class DnsResponderTest {
    /** The Network "front"; shop-web-1 asks from 127.0.0.31, shop-web-2 runs at 127.0.0.32. */
    private static final String ASKER = "127.0.0.31";
    private static final String FLOODER = "127.0.0.41";
    private static final NameTable TABLE = new NameTable(Map.of("front", Map.of(
            "h1", List.of(new Endpoint(ASKER, "02:42:00:00:00:01", "shop-web-1", "shop", "web", 1, true),
                    new Endpoint(FLOODER, "02:42:00:00:00:02", "shop-bad-1", "shop", "bad", 1, true)),
            "h2", List.of(new Endpoint("127.0.0.32", "02:42:00:00:00:03", "shop-web-2", "shop", "web", 2, true)))),
            Set.of("h1", "h2"), Map.of("front", dev.berth.crds.network.Ipv4Cidr.parse("127.0.0.0/24")), Set.of());

    private final PrometheusMeterRegistry registry = BerthRegistry.create();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TinyResolver upstream;

    @BeforeEach
    void upstream() throws IOException {
        upstream = new TinyResolver(new InetSocketAddress("127.0.0.51", 0), Map.of("outside.test", "192.0.2.7"), false);
        closing.add(upstream);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private DnsResponder responder(Map<String, InetSocketAddress> listen, List<InetSocketAddress> upstreams,
                                   Duration forwardTimeout) {
        // Lower than the defaults, so a flood this test can send from one thread is 25 times the limit.
        DnsResponder responder = new DnsResponder(() -> listen, () -> TABLE, upstreams, forwardTimeout,
                new DnsResponder.Limits(200, 400, 4096), registry);
        closing.add(0, responder);
        responder.rebind();
        return responder;
    }

    private DnsResponder onFront(List<InetSocketAddress> upstreams, Duration forwardTimeout) {
        return responder(Map.of("front", new InetSocketAddress("127.0.0.21", 0)), upstreams, forwardTimeout);
    }

    private static Message ask(InetSocketAddress server, String from, String name, int type, boolean tcp) throws IOException {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setLocalAddress(new InetSocketAddress(from, 0));
        resolver.setTCP(tcp);
        resolver.setTimeout(Duration.ofSeconds(3));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN)));
    }

    private static Set<String> addresses(Message reply) {
        Set<String> ips = new TreeSet<>();
        for (Record r : reply.getSection(Section.ANSWER)) {
            ips.add(((ARecord) r).getAddress().getHostAddress());
        }
        return ips;
    }

    private double count(String result) {
        return registry.get("berth.dns.queries").tag("result", result).counter().count();
    }

    @Test
    void hostilePacketsGetFormerrOrNothingAndTheResponderKeepsAnswering() throws Exception {
        InetSocketAddress at = onFront(List.of(upstream.address()), Duration.ofSeconds(2)).bound().get("front");
        byte[] valid = Message.newQuery(Record.newRecord(Name.fromString("web", Name.root), Type.A, DClass.IN)).toWire();
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 3);
        byte[] garbage = new byte[64];
        new java.util.Random(15).nextBytes(garbage);
        garbage[2] = 0; // a query, not a response: one a resolver would answer
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(ASKER, 0))) {
            socket.setSoTimeout(3000);
            for (byte[] packet : List.of(truncated, garbage, new byte[] {1, 2, 3})) {
                socket.send(new java.net.DatagramPacket(packet, packet.length, at));
            }
            // Truncated and random queries with a header get FORMERR (with their id); three bytes get no answer at all.
            for (int i = 0; i < 2; i++) {
                byte[] buffer = new byte[512];
                java.net.DatagramPacket reply = new java.net.DatagramPacket(buffer, buffer.length);
                socket.receive(reply);
                Message answer = new Message(java.util.Arrays.copyOf(buffer, reply.getLength()));
                assertEquals(Rcode.FORMERR, answer.getRcode(), answer.toString());
                assertTrue(answer.getHeader().getFlag(Flags.QR), "a response");
            }
        }
        assertEquals(Set.of("127.0.0.31", "127.0.0.32"), addresses(ask(at, ASKER, "web", Type.A, false)),
                "still answering after hostile packets");
        assertEquals(0, upstream.queries(), "nothing hostile was forwarded");
    }

    @Test
    void berthNamesAreAnsweredOverUdpAndTcp() throws Exception {
        InetSocketAddress at = onFront(List.of(upstream.address()), Duration.ofSeconds(2)).bound().get("front");
        for (boolean tcp : List.of(false, true)) {
            Message web = ask(at, ASKER, "web", Type.A, tcp);
            assertEquals(Rcode.NOERROR, web.getRcode(), web.toString());
            assertEquals(Set.of("127.0.0.31", "127.0.0.32"), addresses(web), web.toString());
            assertTrue(web.getHeader().getFlag(Flags.AA), "authoritative for Berth names");
            web.getSection(Section.ANSWER).forEach(r -> assertEquals(2, r.getTTL(), "short TTL: " + r));
            assertEquals(Set.of("127.0.0.32"), addresses(ask(at, ASKER, "shop-web-2.", Type.A, tcp)));
            assertEquals(Set.of("127.0.0.31", "127.0.0.32"), addresses(ask(at, ASKER, "WEB.shop", Type.A, tcp)));
        }
        assertEquals(0, upstream.queries(), "Berth names never leave the host");
        assertEquals(6, count("answered"));
        String scrape = registry.scrape();
        assertTrue(scrape.contains("berth_dns_queries_total{result=\"answered\"} 6.0"), scrape);
        assertTrue(scrape.contains("berth_dns_answer_seconds_bucket"), "answer latency histogram");
    }

    @Test
    void anotherTypeOfAKnownNameIsNoErrorWithoutAnswersAndAnUnknownOneIsNxdomain() throws Exception {
        InetSocketAddress at = onFront(List.of(upstream.address()), Duration.ofSeconds(2)).bound().get("front");
        Message aaaa = ask(at, ASKER, "web", Type.AAAA, false);
        assertEquals(Rcode.NOERROR, aaaa.getRcode(), aaaa.toString());
        assertEquals(0, aaaa.getSection(Section.ANSWER).size(), aaaa.toString());
        Message missing = ask(at, ASKER, "nothing", Type.A, false);
        assertEquals(Rcode.NXDOMAIN, missing.getRcode(), missing.toString());
        Message overTcp = ask(at, ASKER, "nothing", Type.A, true);
        assertEquals(Rcode.NXDOMAIN, overTcp.getRcode(), overTcp.toString());
        assertEquals(0, upstream.queries());
        assertEquals(1, count("nodata"));
        assertEquals(2, count("nxdomain"));
    }

    @Test
    void otherNamesAreForwardedAndTheUpstreamsAnswerRelayedAsItIs() throws Exception {
        InetSocketAddress at = onFront(List.of(upstream.address()), Duration.ofSeconds(2)).bound().get("front");
        for (boolean tcp : List.of(false, true)) {
            Message outside = ask(at, ASKER, "outside.test", Type.A, tcp);
            assertEquals(Rcode.NOERROR, outside.getRcode(), outside.toString());
            assertEquals(Set.of("192.0.2.7"), addresses(outside));
            assertEquals(60, outside.getSection(Section.ANSWER).get(0).getTTL(), "the upstream's own TTL");
            Message gone = ask(at, ASKER, "gone.test", Type.A, tcp);
            assertEquals(Rcode.NXDOMAIN, gone.getRcode(), "the upstream's rcode: " + gone);
        }
        assertEquals(4, upstream.queries());
        assertEquals(4, count("forwarded"));
    }

    @Test
    void aSilentUpstreamGivesServfailWithinTheTimeout() throws Exception {
        TinyResolver silent = new TinyResolver(new InetSocketAddress("127.0.0.52", 0), Map.of(), true);
        closing.add(silent);
        InetSocketAddress at = onFront(List.of(silent.address()), Duration.ofMillis(500)).bound().get("front");
        for (boolean tcp : List.of(false, true)) {
            long start = System.nanoTime();
            Message reply = ask(at, ASKER, "outside.test", Type.A, tcp);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Rcode.SERVFAIL, reply.getRcode(), reply.toString());
            assertTrue(millis < 2000, "SERVFAIL after the forward timeout, before the client's own: " + millis + " ms");
        }
        assertEquals(2, count("error"));
        // Berth names do not wait for the upstream.
        assertEquals(Rcode.NOERROR, ask(at, ASKER, "web", Type.A, false).getRcode());
    }

    @Test
    void aFloodFromOneSourceIsRefusedWhileAnotherSourceIsAnsweredPromptly() throws Exception {
        InetSocketAddress at = onFront(List.of(upstream.address()), Duration.ofSeconds(2)).bound().get("front");
        byte[] query = Message.newQuery(Record.newRecord(Name.fromString("web.shop."), Type.A, DClass.IN)).toWire();
        Map<Integer, AtomicInteger> floodReplies = new ConcurrentHashMap<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        int sent = 0;
        try (DatagramSocket flood = new DatagramSocket(new InetSocketAddress(FLOODER, 0))) {
            flood.setSoTimeout(200);
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                while (flooding.get() || !flood.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                        flood.receive(p);
                        int rcode = buffer[3] & 0x0f;
                        floodReplies.computeIfAbsent(rcode, k -> new AtomicInteger()).incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        if (!flooding.get()) {
                            return;
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            reader.start();
            // Warmed up first (class loading, the JIT, dnsjava's client thread), as a running operator is, by a flood
            // from a third source: the times below are the responder's, not the JVM's first minute.
            try (DatagramSocket warm = new DatagramSocket(new InetSocketAddress("127.0.0.42", 0))) {
                for (int i = 0; i < 3000; i++) {
                    warm.send(new DatagramPacket(query, query.length, at));
                    if (i % 100 == 99) {
                        Thread.sleep(10);
                    }
                }
            }
            Await.until(Duration.ofSeconds(10), "the warm-up flood handled (some may be lost in the socket's queue)",
                    () -> count("refused") + count("answered") >= 1500, () -> registry.scrape());
            double refusedBefore = count("refused");
            assertEquals(Rcode.NOERROR, ask(at, ASKER, "web", Type.A, false).getRcode());
            List<Long> askerMillis = new ArrayList<>();
            List<Integer> askerRcodes = new ArrayList<>();
            long floodStart = System.nanoTime();
            // About 5000 queries a second for two seconds (25 times the limit), with the other source asking meanwhile.
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 500; i++) {
                    flood.send(new DatagramPacket(query, query.length, at));
                    sent++;
                }
                long start = System.nanoTime();
                Message reply = ask(at, ASKER, "web", Type.A, false);
                askerMillis.add((System.nanoTime() - start) / 1_000_000);
                askerRcodes.add(reply.getRcode());
                long due = floodStart + (round + 1) * 100_000_000L;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
            }
            double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
            flooding.set(false);
            reader.join(5000);
            int refused = floodReplies.getOrDefault(Rcode.REFUSED, new AtomicInteger()).get();
            int answered = floodReplies.getOrDefault(Rcode.NOERROR, new AtomicInteger()).get();
            String seen = "sent " + sent + ", replies by rcode " + floodReplies + ", other source's times " + askerMillis;
            assertTrue(refused > sent / 2, "most of the flood refused: " + seen);
            assertTrue(answered >= 400 && answered <= 400 + 200 * (floodSeconds + 1), "the burst and the rate answered, no"
                    + " more, in " + floodSeconds + " s: " + seen);
            assertEquals(java.util.Collections.nCopies(20, Rcode.NOERROR), askerRcodes, seen);
            // Generous for a loaded two-core machine (client, flood and responder share it); a responder that let the
            // flood queue ahead, or lost the other source's query, would take seconds or time out.
            assertTrue(askerMillis.stream().allMatch(ms -> ms < 1000), "every one of the other source's queries answered"
                    + " promptly (under 1 s): " + seen);
            assertTrue(askerMillis.stream().sorted().toList().get(askerMillis.size() / 2) < 250, "median under 250 ms: " + seen);
            // Some replies to the flood are lost in its own socket's queue: the responder counts at least those seen.
            assertTrue(count("refused") - refusedBefore >= refused, "refusals counted: " + count("refused") + "; " + seen);
        }
    }

    @Test
    void networksThatComeAndGoAreBoundAndUnbound() throws Exception {
        Map<String, InetSocketAddress> listen = new ConcurrentHashMap<>(Map.of("front", new InetSocketAddress("127.0.0.21", 0)));
        DnsResponder responder = new DnsResponder(() -> Map.copyOf(listen), () -> TABLE, List.of(upstream.address()),
                Duration.ofSeconds(1), DnsResponder.Limits.defaults(), registry);
        closing.add(0, responder);
        responder.start();
        Await.until(Duration.ofSeconds(5), "front bound", () -> responder.bound().containsKey("front"));
        listen.put("back", new InetSocketAddress("127.0.0.22", 0));
        Await.until(Duration.ofSeconds(5), "back bound within the next poll", () -> responder.bound().containsKey("back"),
                () -> responder.bound().toString());
        InetSocketAddress back = responder.bound().get("back");
        // Through back, where nothing is listed: an address nobody lists sees back's names only (none); a container of
        // front reaching back's gateway still sees front's own names.
        assertEquals(Rcode.NXDOMAIN, ask(back, "127.0.0.61", "shop-web-2", Type.A, false).getRcode());
        assertEquals(Set.of("127.0.0.32"), addresses(ask(back, ASKER, "shop-web-2", Type.A, false)));
        assertEquals(Set.of("127.0.0.32"), addresses(ask(responder.bound().get("front"), ASKER, "shop-web-2", Type.A, false)));
        listen.remove("back");
        Await.until(Duration.ofSeconds(5), "back unbound", () -> !responder.bound().containsKey("back"), () -> responder.bound().toString());
        try (DatagramSocket probe = new DatagramSocket(back)) {
            assertEquals(back.getPort(), probe.getLocalPort(), "the address is free again");
        }
    }
}
