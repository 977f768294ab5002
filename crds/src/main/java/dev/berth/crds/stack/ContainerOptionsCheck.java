package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import dev.berth.crds.Durations;
import java.net.InetAddress;
import java.time.Duration;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What Docker would refuse only when it creates the container, said at the field instead: an unknown ulimit, a soft
 * limit above its hard one, a sysctl outside the container's namespaces, an extra host whose address is no address,
 * an unknown stop signal, a log option the driver does not take, a stop grace period over 10m.
 */
public final class ContainerOptionsCheck implements SpecCheck<StackSpec> {
    /** The limits Docker knows (go-units' ulimit names), sorted for messages. */
    public static final Set<String> ULIMITS = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(Set.of("core", "cpu", "data", "fsize", "locks", "memlock",
            "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack")));
    /** The IPC sysctls Docker lets a container set; net.* and fs.mqueue.* are matched by prefix. */
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    /** The longest stopGracePeriod (see {@link #stopGracePeriod}). */
    public static final Duration MAX_STOP_GRACE = Duration.ofMinutes(10);
    private static final Pattern SYSCTL_NAME = Pattern.compile("[a-z0-9_]+(\\.[A-Za-z0-9_-]+)+");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec s = spec.services().get(i);
            String path = "spec.services[" + i + "]";
            ulimits(s.ulimits(), path + ".ulimits", context);
            sysctls(s.sysctls(), path + ".sysctls", context);
            logging(s.logging(), path + ".logging", context);
            if (s.stopSignal() != null && !StopSignals.isKnown(s.stopSignal())) {
                context.error(path + ".stopSignal", "unknown signal \"" + s.stopSignal()
                        + "\" (a Linux signal name like SIGTERM or TERM, or a number 1-64)");
            }
            stopGracePeriod(s.stopGracePeriod(), path + ".stopGracePeriod", context);
            for (int h = 0; h < s.extraHosts().size(); h++) {
                extraHost(s.extraHosts().get(h), path + ".extraHosts[" + h + "]", context);
            }
        }
    }

    private static void logging(LoggingSpec logging, String path, CheckContext context) {
        if (logging == null) {
            return;
        }
        LogOptions.of(logging.driver()).ifPresent(known -> {
            for (String option : new TreeSet<>(logging.options().keySet())) {
                if (!known.contains(option)) {
                    context.errorAtKey(path + ".options", option, known.isEmpty()
                            ? "log driver " + logging.driver() + " takes no options"
                            : "log driver " + logging.driver() + " has no option \"" + option + "\" (it takes "
                            + String.join(", ", known) + ")");
                }
            }
        });
    }

    /**
     * Bounded because a remove waits the whole grace period inside a stack's pass (one of a few workers): hours
     * would hold the stack, and the stop's own timeout is the grace period plus a margin.
     */
    private static void stopGracePeriod(String text, String path, CheckContext context) {
        if (text == null) {
            return;
        }
        Duration grace;
        try {
            grace = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            return; // the schema's format: duration says so
        }
        if (grace.compareTo(MAX_STOP_GRACE) > 0) {
            context.error(path, "stop grace period " + text + " is longer than 10m (a remove waits it inside the "
                    + "stack's pass; a process that needs longer to shut down should be stopped by hand first)");
        }
    }

    private static void ulimits(Map<String, Ulimit> ulimits, String path, CheckContext context) {
        ulimits.forEach((name, limit) -> {
            if (!ULIMITS.contains(name)) {
                context.errorAtKey(path, name, "unknown ulimit \"" + name + "\" (Docker knows " + String.join(", ", ULIMITS) + ")");
            } else if (limit.hard() != -1 && (limit.soft() == -1 || limit.soft() > limit.hard())) {
                context.error(path + "." + name + ".soft", "soft limit " + text(limit.soft())
                        + " is above the hard limit " + limit.hard() + " (a process may raise its soft limit up to the hard one, never past it)");
            }
        });
    }

    private static String text(long limit) {
        return limit == -1 ? "-1 (unlimited)" : Long.toString(limit);
    }

    private static void sysctls(Map<String, String> sysctls, String path, CheckContext context) {
        for (String name : new TreeSet<>(sysctls.keySet())) {
            if (!SYSCTL_NAME.matcher(name).matches()) {
                context.errorAtKey(path, name, "\"" + name + "\" is not a sysctl name like net.core.somaxconn");
            } else if (!namespaced(name)) {
                context.errorAtKey(path, name, "sysctl " + name + " is not in the container's namespaces: Docker "
                        + "allows only net.*, fs.mqueue.* and kernel.msg*/sem/shm* (set host-wide ones on the host)");
            }
        }
    }

    private static boolean namespaced(String name) {
        return name.startsWith("net.") || name.startsWith("fs.mqueue.") || IPC_SYSCTLS.contains(name);
    }

    private static void extraHost(String entry, String path, CheckContext context) {
        // HOST:IP, split at the first colon as Docker does: an IPv6 address keeps its own colons.
        String ip = entry.substring(entry.indexOf(':') + 1);
        if (!isHostAddress(ip)) {
            context.error(path, "\"" + ip + "\" is not an IPv4 or IPv6 address (or host-gateway)");
        }
    }

    /** What an extra host may point at: an IPv4 or IPv6 address, or Docker's host-gateway. */
    public static boolean isHostAddress(String ip) {
        return ip.equals("host-gateway") || isIpAddress(ip);
    }

    /** An IPv4 or IPv6 address written literally (never looked up as a name). */
    public static boolean isIpAddress(String ip) {
        return IPV4.matcher(ip).matches() || ipv6(ip);
    }

    /**
     * Only hex digits, colons and dots, starting with a hex digit or a colon, and with a colon in it: the JDK parses
     * such a text as an IPv6 literal and never looks it up as a name.
     */
    private static boolean ipv6(String ip) {
        if (!ip.contains(":") || !IPV6_CHARS.matcher(ip).matches()) {
            return false;
        }
        try {
            InetAddress.getByName(ip);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
