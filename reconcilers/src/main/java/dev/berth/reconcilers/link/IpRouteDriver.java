package dev.berth.reconcilers.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LinkDriver} over the iproute2 tools. Reads with three JSON commands; writes each pass as one
 * {@code ip -batch -} run (links, neighbours) followed by one {@code bridge -batch -} batch (FDB entries), so the FDB
 * entries of a device created in the same pass find it. The FDB batch goes to a bridge process kept between passes
 * ({@link BridgeSession}) when the installed bridge supports it. With a namespace every command is {@code ip -n NS} /
 * {@code bridge -n NS}: nothing runs in the caller's own namespace.
 */
public final class IpRouteDriver implements LinkDriver, AutoCloseable {
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final int ONE_LINE_EACH = 20;
    private static final Logger log = LoggerFactory.getLogger(IpRouteDriver.class);
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Optional<String> netns;
    private final CommandRunner runner;
    private final Duration timeout;
    private final LinkStateParser parser = new LinkStateParser();
    /** Runs reads beside the calling thread; daemon threads, created on demand and dropped when idle. */
    private final Executor readers = command -> {
        Thread t = new Thread(command, "link-read");
        t.setDaemon(true);
        t.start();
    };

    /** FDB batches, the bulk of a pass when many peers arrive, go to one bridge process kept between passes. */
    private final Optional<BridgeSession> bridgeSession;

    public IpRouteDriver(Optional<String> netns) {
        this(netns, new ProcessCommandRunner(), COMMAND_TIMEOUT, true);
    }

    IpRouteDriver(Optional<String> netns, CommandRunner runner, Duration timeout) {
        this(netns, runner, timeout, false);
    }

    private IpRouteDriver(Optional<String> netns, CommandRunner runner, Duration timeout, boolean keepBridge) {
        this.netns = Objects.requireNonNull(netns, "netns");
        netns.ifPresent(ns -> {
            if (!NETNS.matcher(ns).matches()) {
                throw new IllegalArgumentException("not a valid network namespace name: " + ns);
            }
        });
        this.runner = runner;
        this.timeout = timeout;
        this.bridgeSession = keepBridge
                ? Optional.of(new BridgeSession(command("bridge", "-batch", "-"), () -> namespaceIdentity(netns)))
                : Optional.empty();
    }

    /** The namespace's nsfs file identity: a namespace deleted and made again under the same name is another one. */
    private static Object namespaceIdentity(Optional<String> netns) {
        if (netns.isEmpty()) {
            return "own";
        }
        try {
            return Files.readAttributes(Path.of("/var/run/netns", netns.get()), BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    /** The bridge process kept for FDB batches, if one runs (tests). */
    Optional<Long> bridgeSessionPid() {
        return bridgeSession.flatMap(BridgeSession::pid);
    }

    @Override
    public void close() {
        bridgeSession.ifPresent(BridgeSession::close);
    }

    public Optional<String> netns() {
        return netns;
    }

    @Override
    public LinkState read() {
        // The three reads are independent: run them side by side (each is a process start plus a netlink dump).
        CompletableFuture<String> links = CompletableFuture.supplyAsync(() -> query(command("ip", "-j", "-d", "link", "show")), readers);
        CompletableFuture<String> fdb = CompletableFuture.supplyAsync(() -> query(command("bridge", "-j", "fdb", "show")), readers);
        String neigh = query(command("ip", "-j", "neigh", "show", "nud", "permanent"));
        return parser.parse(join(links), join(fdb), neigh);
    }

    private static String join(CompletableFuture<String> read) {
        try {
            return read.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    @Override
    public void apply(List<LinkAction> actions) {
        // Render both scripts before running either, so a value that fails validation changes nothing.
        BatchScript ip = BatchScript.ip(actions);
        BatchScript bridge = BatchScript.bridge(actions);
        if (actions.stream().anyMatch(a -> a instanceof LinkAction.CreateVxlan || a instanceof LinkAction.DeleteLink)) {
            // bridge keeps each device's index by name: a device made again in this pass (even one whose ip batch
            // then fails) has a new one, so the next FDB batch goes to a new process.
            bridgeSession.ifPresent(BridgeSession::restart);
        }
        run("ip", ip);
        run("bridge", bridge);
    }

    private void run(String tool, BatchScript script) {
        if (script.isEmpty()) {
            return;
        }
        Optional<CommandRunner.CommandResult> kept = tool.equals("bridge")
                ? bridgeSession.flatMap(b -> b.run(script.stdin(), script.lines().size(), timeout))
                : Optional.empty();
        CommandRunner.CommandResult r = kept.isPresent() ? kept.get()
                : runner.run(command(tool, "-batch", "-"), script.stdin(), timeout);
        if (r.ok()) {
            logApplied(script.actions());
            return;
        }
        String stderr = r.stderr().strip();
        LinkAction failed = script.failedAction(r.stdout(), r.stderr()).orElseThrow(() -> new LinkDriverException(
                tool + " -batch exited " + r.exitCode() + " and no failing action could be named" + where() + ": "
                        + stderr));
        logApplied(script.before(failed));
        log.warn("link {}: {} failed{}: {}", failed.deviceName(), failed.describe(), where(), oneLine(stderr));
        throw new LinkActionException(failed, failed.describe() + " failed" + where() + ": " + stderr);
    }

    /**
     * One line per action for a small pass; a large one (a thousand peers arriving) is one line per device with
     * counts by kind, the actions themselves at debug, so the log stays readable and logging costs no time.
     */
    private static void logApplied(List<LinkAction> actions) {
        if (actions.size() <= ONE_LINE_EACH) {
            actions.forEach(a -> log.info("link {}: {}", a.deviceName(), a.describe()));
            return;
        }
        java.util.Map<String, java.util.Map<String, Integer>> byDevice = new java.util.TreeMap<>();
        for (LinkAction a : actions) {
            String[] words = a.describe().split(" ", 3);
            String kind = words.length >= 2 ? words[0] + " " + words[1] : a.describe();
            byDevice.computeIfAbsent(a.deviceName(), d -> new java.util.TreeMap<>()).merge(kind, 1, Integer::sum);
            log.debug("link {}: {}", a.deviceName(), a.describe());
        }
        byDevice.forEach((device, kinds) -> log.info("link {}: {}", device, kinds.entrySet().stream()
                .map(k -> k.getKey() + " x" + k.getValue()).collect(java.util.stream.Collectors.joining(", "))));
    }

    private String query(List<String> argv) {
        CommandRunner.CommandResult r = runner.run(argv, "", timeout);
        if (!r.ok()) {
            throw new LinkDriverException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return r.stdout();
    }

    private List<String> command(String tool, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        netns.ifPresent(ns -> {
            argv.add("-n");
            argv.add(ns);
        });
        argv.addAll(List.of(args));
        return argv;
    }

    private String where() {
        return netns.map(ns -> " in netns " + ns).orElse("");
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }
}
