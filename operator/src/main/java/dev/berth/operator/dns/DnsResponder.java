package dev.berth.operator.dns;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

/**
 * The DNS responder of one operator: UDP and TCP on one address per Network (this host's gateway of each Network it
 * takes part in), answering Berth names from the {@link NameTable} and forwarding the rest to the upstream resolvers.
 *
 * <p>It runs on threads of its own, never the controllers' workers: a receiving thread per socket answers Berth names
 * at once (a table look-up), a small fixed pool forwards, another serves TCP connections; both pools have bounded
 * queues and a query they cannot take gets SERVFAIL (UDP) or its connection closed (TCP). A source over its rate
 * gets REFUSED before anything else is done, so a flood costs one header parse per packet.
 *
 * <p>The addresses are looked at every second ({@code listen}): a Network that appears is bound, one that goes is
 * unbound; a bind that fails is retried every second and logged once. Logs: one line per bind, unbind and error,
 * never per query (the metrics count those).
 */
public final class DnsResponder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsResponder.class);
    private static final int TCP_IDLE_MILLIS = 5000;
    private static final int TCP_QUERIES_PER_CONNECTION = 100;

    /** Per source address: sustained queries per second, burst, and how many sources are remembered. */
    public record Limits(double perSecond, double burst, int maxSources) {
        /**
         * 1,000 queries a second per source, bursts of 2,000: well above what an application asks without a cache
         * (musl caches nothing), far below a flood.
         */
        public static Limits defaults() {
            return new Limits(1000, 2000, 4096);
        }
    }

    private final Supplier<Map<String, InetSocketAddress>> listen;
    private final Supplier<NameTable> table;
    private final Forwarder forwarder;
    private final SourceLimiter limiter;
    /** Threads that forward to the upstreams (each waits up to the forward timeout). */
    private static final int FORWARD_THREADS = 8;
    /** Forwards waiting or running per source: a quarter of the forwarding threads, so others always find some. */
    private final InFlight forwardsInFlight = new InFlight(FORWARD_THREADS / 4);
    private final DnsMetrics metrics;
    private final ScheduledExecutorService binder;
    private final ThreadPoolExecutor forwards;
    private final ThreadPoolExecutor connections;
    private final Map<String, Listener> listeners = new TreeMap<>();
    /** Addresses whose bind failed, so the retry every second logs nothing new. */
    private final Map<String, InetSocketAddress> failedBinds = new HashMap<>();
    private final AtomicBoolean upstreamsAnswer = new AtomicBoolean(true);
    private volatile boolean closed;

    /**
     * @param listen         where to listen now: Network → address (port 53 on a real host; any in tests)
     * @param table          the names as of now
     * @param upstreams      resolvers for every other name
     * @param forwardTimeout how long all upstreams together may take
     */
    public DnsResponder(Supplier<Map<String, InetSocketAddress>> listen, Supplier<NameTable> table,
                        List<InetSocketAddress> upstreams, Duration forwardTimeout, Limits limits, MeterRegistry registry) {
        this.listen = listen;
        this.table = table;
        this.forwarder = new Forwarder(upstreams, forwardTimeout);
        this.limiter = new SourceLimiter(limits.perSecond(), limits.burst(), limits.maxSources(), System::nanoTime);
        this.metrics = new DnsMetrics(registry);
        this.binder = Executors.newSingleThreadScheduledExecutor(daemon("dns-bind"));
        this.forwards = new ThreadPoolExecutor(FORWARD_THREADS, FORWARD_THREADS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), daemon("dns-forward"),
                new ThreadPoolExecutor.AbortPolicy());
        this.connections = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), daemon("dns-tcp"),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Binds now and looks again every second. */
    public void start() {
        if (forwarder.upstreams().isEmpty()) {
            log.warn("dns: no upstream resolver (none given, none usable in /etc/resolv.conf): names outside Berth get SERVFAIL");
        }
        binder.scheduleWithFixedDelay(this::rebindQuietly, 0, 1, TimeUnit.SECONDS);
    }

    private void rebindQuietly() {
        try {
            rebind();
        } catch (RuntimeException e) {
            log.warn("dns: cannot tell which addresses to listen on: {}", e.toString());
        }
    }

    /** Makes the sockets match {@code listen} now. */
    public synchronized void rebind() {
        if (closed) {
            return;
        }
        Map<String, InetSocketAddress> wanted = listen.get();
        for (String network : List.copyOf(listeners.keySet())) {
            Listener current = listeners.get(network);
            if (!current.requested.equals(wanted.get(network))) {
                listeners.remove(network).close();
                log.info("network/{}: dns responder unbound from {}", network, current.bound);
            }
        }
        failedBinds.keySet().retainAll(wanted.keySet());
        wanted.forEach((network, address) -> {
            if (listeners.containsKey(network)) {
                return;
            }
            try {
                Listener listener = new Listener(network, address);
                listeners.put(network, listener);
                failedBinds.remove(network);
                log.info("network/{}: dns responder listening on {} (UDP and TCP)", network, listener.bound);
            } catch (IOException e) {
                if (!address.equals(failedBinds.put(network, address))) {
                    log.warn("network/{}: dns responder cannot bind {} ({}); retrying every second", network, address,
                            e.getMessage());
                }
            }
        });
    }

    /** Network → the address actually bound (the port filled in when 0 was asked for). */
    public synchronized Map<String, InetSocketAddress> bound() {
        Map<String, InetSocketAddress> out = new TreeMap<>();
        listeners.forEach((network, listener) -> out.put(network, listener.bound));
        return out;
    }

    /** What to do with one query: a reply now, or forward. */
    private record Handled(DnsMetrics.Result result, byte[] reply, Message forward) {
        static Handled reply(DnsMetrics.Result result, byte[] reply) {
            return new Handled(result, reply, null);
        }
    }

    private Handled handle(String network, InetAddress source, byte[] data, boolean tcp) {
        if (!limiter.tryAcquire(source)) {
            return Handled.reply(DnsMetrics.Result.REFUSED, Replies.status(data, Rcode.REFUSED));
        }
        Message query;
        try {
            query = new Message(data);
        } catch (IOException e) {
            return Handled.reply(DnsMetrics.Result.ERROR, Replies.status(data, Rcode.FORMERR));
        }
        if (query.getHeader().getFlag(Flags.QR)) {
            return Handled.reply(DnsMetrics.Result.ERROR, null);
        }
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return Handled.reply(DnsMetrics.Result.ERROR, Replies.status(query, Rcode.NOTIMP, tcp));
        }
        Record question = query.getQuestion();
        if (question == null || query.getHeader().getCount(org.xbill.DNS.Section.QUESTION) != 1) {
            return Handled.reply(DnsMetrics.Result.ERROR, Replies.status(query, Rcode.FORMERR, tcp));
        }
        if (question.getDClass() != DClass.IN) {
            return new Handled(DnsMetrics.Result.FORWARDED, null, query);
        }
        NameTable.Answer answer;
        try {
            answer = table.get().answer(network, source.getHostAddress(), question.getName().toString(),
                    question.getType(), ThreadLocalRandom.current());
        } catch (RuntimeException e) {
            log.warn("network/{}: dns responder cannot answer {} from its name table: {}", network, question.getName(),
                    e.toString());
            return Handled.reply(DnsMetrics.Result.ERROR, Replies.status(query, Rcode.SERVFAIL, tcp));
        }
        return switch (answer.kind()) {
            case ANSWERED -> Handled.reply(DnsMetrics.Result.ANSWERED, Replies.answer(query, answer, tcp));
            case NODATA -> Handled.reply(DnsMetrics.Result.NODATA, Replies.answer(query, answer, tcp));
            case NXDOMAIN -> Handled.reply(DnsMetrics.Result.NXDOMAIN, Replies.answer(query, answer, tcp));
            case FORWARD -> new Handled(DnsMetrics.Result.FORWARDED, null, query);
        };
    }

    /** The upstreams' answer, or SERVFAIL when none came in time; counts and logs a change of their state. */
    private byte[] forward(Message query, byte[] data, boolean tcp, long start) {
        Optional<byte[]> answer = forwarder.forward(data, tcp);
        if (answer.isPresent()) {
            if (upstreamsAnswer.compareAndSet(false, true)) {
                log.info("dns: upstream resolvers {} answer again", forwarder.upstreams());
            }
            metrics.ended(DnsMetrics.Result.FORWARDED, start);
            return answer.get();
        }
        if (upstreamsAnswer.compareAndSet(true, false) && !forwarder.upstreams().isEmpty()) {
            log.warn("dns: no upstream resolver of {} answered in time; names outside Berth get SERVFAIL",
                    forwarder.upstreams());
        }
        metrics.ended(DnsMetrics.Result.ERROR, start);
        return Replies.status(query, Rcode.SERVFAIL, tcp);
    }

    /** One Network's sockets and their threads. */
    private final class Listener {
        final String network;
        final InetSocketAddress requested;
        final InetSocketAddress bound;
        final DatagramSocket udp;
        final ServerSocket tcp;
        volatile boolean stopping;

        Listener(String network, InetSocketAddress address) throws IOException {
            this.network = network;
            this.requested = address;
            DatagramSocket u = new DatagramSocket(null);
            ServerSocket t = new ServerSocket();
            try {
                // Room for a burst: a flood from one container must not push others' queries out of the kernel's queue.
                u.setReceiveBufferSize(1 << 20);
                u.bind(address);
                InetSocketAddress actual = new InetSocketAddress(address.getAddress(), u.getLocalPort());
                t.setReuseAddress(true);
                t.bind(actual, 64);
                this.bound = actual;
            } catch (IOException | RuntimeException e) {
                u.close();
                t.close();
                throw e;
            }
            this.udp = u;
            this.tcp = t;
            daemon("dns-udp-" + network).newThread(this::receive).start();
            daemon("dns-accept-" + network).newThread(this::accept).start();
        }

        private void receive() {
            byte[] buffer = new byte[65535];
            while (!stopping) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    udp.receive(packet);
                } catch (IOException e) {
                    if (!stopping) {
                        log.warn("network/{}: dns responder cannot receive on {}: {}", network, bound, e.getMessage());
                    }
                    if (udp.isClosed()) {
                        return;
                    }
                    continue;
                }
                long start = System.nanoTime();
                byte[] data = java.util.Arrays.copyOf(buffer, packet.getLength());
                InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
                Handled handled = handle(network, from.getAddress(), data, false);
                if (handled.forward() == null) {
                    send(from, handled.reply());
                    metrics.ended(handled.result(), start);
                    continue;
                }
                Message query = handled.forward();
                InetAddress source = from.getAddress();
                if (!forwardsInFlight.tryTake(source)) {
                    // One source may not fill the forwarding pool behind a slow upstream: everyone else's outside
                    // names would wait. SERVFAIL at once makes Docker's embedded DNS ask its next server.
                    send(from, Replies.status(query, Rcode.SERVFAIL, false));
                    metrics.ended(DnsMetrics.Result.ERROR, start);
                    continue;
                }
                try {
                    forwards.execute(() -> {
                        try {
                            send(from, forward(query, data, false, start));
                        } finally {
                            forwardsInFlight.release(source);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    forwardsInFlight.release(source);
                    send(from, Replies.status(query, Rcode.SERVFAIL, false));
                    metrics.ended(DnsMetrics.Result.ERROR, start);
                }
            }
        }

        private void send(InetSocketAddress to, byte[] reply) {
            if (reply == null) {
                return;
            }
            try {
                udp.send(new DatagramPacket(reply, reply.length, to));
            } catch (IOException e) {
                // the asker is gone or its queue is full: DNS over UDP expects losses, and it will ask again
            }
        }

        private void accept() {
            while (!stopping) {
                Socket socket;
                try {
                    socket = tcp.accept();
                } catch (IOException e) {
                    if (!stopping) {
                        log.warn("network/{}: dns responder cannot accept on {}: {}", network, bound, e.getMessage());
                    }
                    if (tcp.isClosed()) {
                        return;
                    }
                    continue;
                }
                try {
                    connections.execute(() -> serve(socket));
                } catch (RejectedExecutionException e) {
                    closeQuietly(socket);
                }
            }
        }

        /** A TCP connection: length-prefixed queries answered in turn, until the asker closes or idles. */
        private void serve(Socket socket) {
            try (socket) {
                socket.setSoTimeout(TCP_IDLE_MILLIS);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                InetAddress source = socket.getInetAddress();
                for (int i = 0; i < TCP_QUERIES_PER_CONNECTION && !stopping; i++) {
                    int length;
                    try {
                        length = in.readUnsignedShort();
                    } catch (EOFException | SocketTimeoutException e) {
                        return;
                    }
                    byte[] data = new byte[length];
                    in.readFully(data);
                    long start = System.nanoTime();
                    Handled handled = handle(network, source, data, true);
                    byte[] reply;
                    if (handled.forward() == null) {
                        reply = handled.reply();
                        metrics.ended(handled.result(), start);
                    } else {
                        reply = forward(handled.forward(), data, true, start);
                    }
                    if (reply == null) {
                        return;
                    }
                    byte[] framed = new byte[reply.length + 2];
                    framed[0] = (byte) (reply.length >>> 8);
                    framed[1] = (byte) reply.length;
                    System.arraycopy(reply, 0, framed, 2, reply.length);
                    out.write(framed);
                    out.flush();
                }
            } catch (IOException e) {
                // the asker went away mid-message: nothing to answer
            }
        }

        void close() {
            stopping = true;
            udp.close();
            try {
                tcp.close();
            } catch (IOException e) {
                // closing: nothing left to do with it
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // refused for lack of room; the asker retries
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Idempotent: unbinds everything and stops the threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            listeners.forEach((network, listener) -> {
                listener.close();
                log.info("network/{}: dns responder unbound from {}", network, listener.bound);
            });
            listeners.clear();
        }
        binder.shutdownNow();
        forwards.shutdownNow();
        connections.shutdownNow();
    }
}
