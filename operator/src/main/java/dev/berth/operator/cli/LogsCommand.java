package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.operator.api.ApiClient;
import dev.berth.operator.api.ApiFrames;
import dev.berth.operator.control.HostRecord;
import io.etcd.jetcd.Watch;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print the logs of a stack's containers on every host, like docker compose logs: each line after"
                + " host/container |, lines of different containers interleaved whole.",
                "Reads where each container runs from status in etcd and asks each host's operator API (HTTPS, the"
                        + " cluster token from etcd, the certificate pinned from the host record), all hosts at once."
                        + " With -f it follows, picks up containers that start later, and ends on Ctrl-C."})
public final class LogsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "stack/NAME[/SERVICE]", description = "The stack, or one service of it.")
    String target;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines, and the lines of containers that start later.")
    boolean follow;

    @Option(names = "--since", paramLabel = "DURATION|TIME",
            description = "Only lines since this long ago (90s, 10m, 2h) or this time (RFC 3339, e.g. 2026-12-02T10:00:00Z).")
    String since;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines of each container.")
    Integer tail;

    @Option(names = {"-t", "--timestamps"}, description = "Docker's timestamp in front of each line.")
    boolean timestamps;

    private final Map<String, ApiClient.FrameReader> open = new ConcurrentHashMap<>();
    /** How soon a stream that ended is started again when its container still runs; doubled while it cannot be
     * reached, up to {@link #RETRY_MAX_SECONDS}. */
    private static final long RETRY_SECONDS = 2;
    private static final long RETRY_MAX_SECONDS = 30;
    /** Each distinct error line once: a host that stays down is one line, not one every retry. */
    private final Set<String> printed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean failed = new AtomicBoolean();
    /** Streams that got as far as the host's answer: none after the first round with -f means nothing ever will. */
    private final AtomicInteger reached = new AtomicInteger();
    /** Set when following ends: streams closed from here are not broken. */
    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        ReplicaTarget what = ReplicaTarget.parse(target, false, spec.commandLine());
        Map<String, String> query = query();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ExecutorService streams = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "logs");
            t.setDaemon(true);
            return t;
        });
        LinkedBlockingQueue<Boolean> changed = new LinkedBlockingQueue<>();
        try (StoreSession session = new StoreSession(etcd, Kinds.standard())) {
            ApiHosts hosts = new ApiHosts(session);
            // Opened before the first look, so a container that appears in between is not missed.
            AtomicBoolean watchFailed = new AtomicBoolean();
            Watch.Watcher watch = follow ? watch(session, what, changed, watchFailed) : null;
            try {
                List<ApiHosts.Located> first = hosts.locate(what);
                if (first.isEmpty() && !follow) {
                    throw new CliException(what + " has no containers on any host (no status lists one)");
                }
                // Here, not on a stream's thread: etcd's answer (or its failure) is one line from the command.
                hosts.token();
                int width = first.stream().mapToInt(l -> l.prefix().length()).max().orElse(0);
                PrefixedLines lines = new PrefixedLines(out, width);
                Map<String, Ended> ended = new ConcurrentHashMap<>();
                Set<String> started = ConcurrentHashMap.newKeySet();
                List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
                CountDownLatch firstRound = new CountDownLatch(first.size());
                start(hosts, first, query, lines, err, streams, started, ended, running, firstRound);
                if (!follow) {
                    for (java.util.concurrent.Future<?> f : running) {
                        f.get();
                    }
                    return failed.get() ? 1 : 0;
                }
                // Following, but no container could be reached at all: nothing would ever print.
                firstRound.await();
                if (!first.isEmpty() && reached.get() == 0) {
                    return 1;
                }
                while (!Thread.currentThread().isInterrupted()) {
                    // A stream that ended is looked at again soon: its container may still run (the stream broke).
                    changed.poll(ended.isEmpty() ? TimeUnit.HOURS.toSeconds(1) : RETRY_SECONDS, TimeUnit.SECONDS);
                    changed.clear();
                    running.removeIf(java.util.concurrent.Future::isDone);
                    try {
                        if (watchFailed.getAndSet(false)) {
                            // etcd ended the watch (compaction, a lost connection): a new one, or no more news.
                            watch.close();
                            try {
                                watch = watch(session, what, changed, watchFailed);
                            } catch (RuntimeException e) {
                                // Tried again next round.
                                watchFailed.set(true);
                                throw e;
                            }
                        }
                        List<ApiHosts.Located> now = hosts.locate(what);
                        // A container no longer in any status is gone: no more retries for it.
                        Set<String> located = new java.util.HashSet<>();
                        now.forEach(l -> located.add(l.prefix()));
                        ended.keySet().retainAll(located);
                        start(hosts, now, query, lines, err, streams, started, ended, running, new CountDownLatch(0));
                    } catch (RuntimeException e) {
                        // etcd away for a moment: one line, and the next round tries again.
                        report(err, lines, "error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    }
                }
                return 0;
            } catch (InterruptedException e) {
                // Ctrl-C (or the caller) ends following: not an error.
                return 0;
            } finally {
                stopping = true;
                if (watch != null) {
                    watch.close();
                }
                open.values().forEach(ApiClient.FrameReader::close);
                streams.shutdownNow();
            }
        }
    }

    /** Where a stream that ended starts again from (epoch seconds), and when it may be tried again. */
    private record Ended(long since, long notBeforeNanos, long delaySeconds) {
    }

    private void report(PrintWriter err, PrefixedLines lines, String line) {
        if (!printed.add(line)) {
            return;
        }
        synchronized (lines) {
            err.println(line);
            err.flush();
        }
    }

    private static Watch.Watcher watch(StoreSession session, ReplicaTarget what, LinkedBlockingQueue<Boolean> changed,
                                       AtomicBoolean failed) {
        return session.kv().watchPrefix(session.store().keys().statusPrefix("stack", what.stack()), 0,
                Watch.listener(response -> changed.offer(true), error -> {
                    failed.set(true);
                    changed.offer(true);
                }));
    }

    /**
     * Starts a stream for each container not streaming yet. Following, a container whose stream ended (it stopped)
     * starts again when its status says it runs, from when its stream ended.
     */
    private void start(ApiHosts hosts, List<ApiHosts.Located> located, Map<String, String> query, PrefixedLines lines,
                       PrintWriter err, ExecutorService streams, Set<String> started, Map<String, Ended> ended,
                       List<java.util.concurrent.Future<?>> running, CountDownLatch round) {
        Map<String, HostRecord> live = null;
        for (ApiHosts.Located l : located) {
            String key = l.prefix();
            if (started.contains(key)) {
                continue;
            }
            Ended endedAt = ended.get(key);
            if (endedAt != null && (!"running".equals(l.replica().state())
                    || System.nanoTime() - endedAt.notBeforeNanos() < 0)) {
                continue;
            }
            if (live == null) {
                live = hosts.liveHosts();
            }
            if (endedAt != null && !live.containsKey(l.host())) {
                // Tried again only while its host is live: a host that is down was reported once already.
                continue;
            }
            Map<String, String> q = new LinkedHashMap<>(query);
            if (endedAt != null) {
                q.put("since", Long.toString(endedAt.since()));
                q.remove("tail");
            }
            started.add(key);
            Map<String, HostRecord> records = live;
            AtomicBoolean counted = new AtomicBoolean();
            AtomicBoolean opened = new AtomicBoolean();
            long delay = endedAt == null ? RETRY_SECONDS : endedAt.delaySeconds();
            Runnable settled = () -> {
                if (counted.compareAndSet(false, true)) {
                    round.countDown();
                }
            };
            running.add(streams.submit(() -> {
                try {
                    stream(hosts.client(l.host(), records), l, q, lines, () -> {
                        opened.set(true);
                        settled.run();
                    });
                } catch (RuntimeException e) {
                    // Any failure, expected or not, is this container's one line; the other streams go on.
                    if (stopping) {
                        return;
                    }
                    failed.set(true);
                    String why = e.getMessage() != null ? e.getMessage() : e.toString();
                    report(err, lines, "error: " + key + ": " + why);
                } finally {
                    settled.run();
                    // A stream that got through starts over at the shortest delay; one that did not backs off.
                    long next = opened.get() ? RETRY_SECONDS : Math.min(delay * 2, RETRY_MAX_SECONDS);
                    long wait = opened.get() ? RETRY_SECONDS : delay;
                    // Not reached: nothing was printed since the last end, so it starts from there again.
                    long since = opened.get() || endedAt == null ? Instant.now().getEpochSecond() : endedAt.since();
                    ended.put(key, new Ended(since,
                            System.nanoTime() + TimeUnit.SECONDS.toNanos(wait), next));
                    started.remove(key);
                }
            }));
        }
    }

    private void stream(ApiClient client, ApiHosts.Located located, Map<String, String> query, PrefixedLines lines,
                        Runnable opened) {
        String key = located.prefix();
        PrefixedLines.Source stdout = lines.source(key);
        PrefixedLines.Source stderr = lines.source(key);
        try (ApiClient.FrameReader reader = client.logs(located.replica().name(), query)) {
            open.put(key, reader);
            reached.incrementAndGet();
            opened.run();
            ApiFrames.Frame frame;
            while ((frame = reader.next()) != null) {
                switch (frame.type()) {
                    case ApiFrames.STDOUT -> stdout.write(frame.payload());
                    case ApiFrames.STDERR -> stderr.write(frame.payload());
                    case ApiFrames.ERROR -> throw new ApiClient.ApiException(frame.text());
                    default -> { }
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                throw new ApiClient.ApiException("the stream from host " + located.host() + " broke: " + e.getMessage());
            }
        } finally {
            open.remove(key);
            stdout.end();
            stderr.end();
        }
    }

    private Map<String, String> query() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("follow", Boolean.toString(follow));
        query.put("timestamps", Boolean.toString(timestamps));
        if (tail != null) {
            if (tail < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tail must be 0 or more");
            }
            query.put("tail", tail.toString());
        }
        if (since != null) {
            query.put("since", Long.toString(sinceEpochSeconds(since, Instant.now())));
        }
        return query;
    }

    private long sinceEpochSeconds(String text, Instant now) {
        try {
            return OffsetDateTime.parse(text).toInstant().getEpochSecond();
        } catch (DateTimeParseException notATime) {
            try {
                Duration ago = new DurationArgument().convert(text);
                return now.minus(ago).getEpochSecond();
            } catch (CommandLine.TypeConversionException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--since expects a duration (10m) or an"
                        + " RFC 3339 time (2026-12-02T10:00:00Z), got " + text);
            }
        }
    }
}
