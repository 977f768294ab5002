package dev.berth.reconcilers.link;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LinkDriver} over the iproute2 tools. Reads with three JSON commands; writes each pass as one
 * {@code ip -batch -} run (links, neighbours) followed by one {@code bridge -batch -} run (FDB entries), so the FDB
 * entries of a device created in the same pass find it. With a namespace every command is {@code ip -n NS} /
 * {@code bridge -n NS}: nothing runs in the caller's own namespace.
 */
public final class IpRouteDriver implements LinkDriver {
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(IpRouteDriver.class);
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Optional<String> netns;
    private final CommandRunner runner;
    private final Duration timeout;
    private final LinkStateParser parser = new LinkStateParser();

    public IpRouteDriver(Optional<String> netns) {
        this(netns, new ProcessCommandRunner(), COMMAND_TIMEOUT);
    }

    IpRouteDriver(Optional<String> netns, CommandRunner runner, Duration timeout) {
        this.netns = Objects.requireNonNull(netns, "netns");
        netns.ifPresent(ns -> {
            if (!NETNS.matcher(ns).matches()) {
                throw new IllegalArgumentException("not a valid network namespace name: " + ns);
            }
        });
        this.runner = runner;
        this.timeout = timeout;
    }

    public Optional<String> netns() {
        return netns;
    }

    @Override
    public LinkState read() {
        String links = query(command("ip", "-j", "-d", "link", "show"));
        String fdb = query(command("bridge", "-j", "fdb", "show"));
        String neigh = query(command("ip", "-j", "neigh", "show", "nud", "permanent"));
        return parser.parse(links, fdb, neigh);
    }

    @Override
    public void apply(List<LinkAction> actions) {
        // Render both scripts before running either, so a value that fails validation changes nothing.
        BatchScript ip = BatchScript.ip(actions);
        BatchScript bridge = BatchScript.bridge(actions);
        run("ip", ip);
        run("bridge", bridge);
    }

    private void run(String tool, BatchScript script) {
        if (script.isEmpty()) {
            return;
        }
        CommandRunner.CommandResult r = runner.run(command(tool, "-batch", "-"), script.stdin(), timeout);
        if (r.ok()) {
            script.actions().forEach(IpRouteDriver::logApplied);
            return;
        }
        String stderr = r.stderr().strip();
        LinkAction failed = script.failedAction(r.stdout(), r.stderr()).orElseThrow(() -> new LinkDriverException(
                tool + " -batch exited " + r.exitCode() + " and no failing action could be named" + where() + ": "
                        + stderr));
        script.before(failed).forEach(IpRouteDriver::logApplied);
        log.warn("link {}: {} failed{}: {}", failed.deviceName(), failed.describe(), where(), oneLine(stderr));
        throw new LinkActionException(failed, failed.describe() + " failed" + where() + ": " + stderr);
    }

    private static void logApplied(LinkAction a) {
        log.info("link {}: {}", a.deviceName(), a.describe());
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
