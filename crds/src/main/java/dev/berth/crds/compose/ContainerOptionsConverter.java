package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Durations;
import dev.berth.crds.Quantities;
import dev.berth.crds.stack.ContainerOptionsCheck;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose's container options into the Stack's (hostname, working_dir, privileged, ulimits, logging, sysctls,
 * extra_hosts, devices, stop_signal, stop_grace_period, shm_size), read the way compose-go reads them; and what
 * network_mode's values become instead. A value Docker would refuse is an error at its place.
 */
final class ContainerOptionsConverter {
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,62}");
    private static final Pattern EXTRA_HOST_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern SIGNAL = Pattern.compile("SIG[A-Z0-9+-]+|[A-Z0-9]+|[0-9]+");
    private static final Pattern PERMISSIONS = Pattern.compile("[rwm]{1,3}");
    /** compose-go's durations (go-str2duration): Go's units plus d and w. */
    private static final Pattern COMPOSE_DURATION = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d|w))+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d|w)");
    private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L, "d", 86_400_000_000_000L,
            "w", 604_800_000_000_000L);

    private final ImportContext context;

    ContainerOptionsConverter(ImportContext context) {
        this.context = context;
    }

    void hostname(ComposeNode v, String path, ObjectNode service) {
        context.nodes().text(v, path).ifPresent(name -> {
            if (name.isEmpty()) {
                // "${HOST:-}" with HOST unset: Docker takes an empty host name as none and uses the container's id,
                // under Compose too; refusing it would refuse a file Compose runs.
                context.diagnostics().warn(v, path, "empty (a variable without a value?): left out, so the container "
                        + "gets Docker's default host name (its short id), as under Compose");
            } else if (HOSTNAME.matcher(name).matches()) {
                service.put("hostname", name);
            } else {
                context.diagnostics().error(v, path, "\"" + name + "\" is not a host name (letters, digits, dots and "
                        + "dashes, at most 63, starting with a letter or digit)");
            }
        });
    }

    void workingDir(ComposeNode v, String path, ObjectNode service) {
        context.nodes().text(v, path).ifPresent(dir -> {
            if (dir.startsWith("/")) {
                service.put("workingDir", dir);
            } else {
                context.diagnostics().error(v, path, "the working directory must be an absolute path, got \"" + dir + "\"");
            }
        });
    }

    void privileged(ComposeNode v, String path, ObjectNode service) {
        context.nodes().bool(v, path).filter(b -> b).ifPresent(b -> {
            service.put("privileged", true);
            context.diagnostics().warn(v, path, "privileged: true is carried over: THE CONTAINER CAN TAKE OVER THE HOST "
                    + "(every capability, every host device); keep it only if the software needs it (cap_add or "
                    + "devices is often enough)");
        });
    }

    /** {@code nofile: 65535} is soft and hard; {@code nofile: {soft: 1024, hard: 2048}}. */
    void ulimits(ComposeNode v, String path, ObjectNode service) {
        if (!(v instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(v, path, "expected a mapping of limits, got " + v.shape());
            return;
        }
        ObjectNode out = service.objectNode();
        for (ComposeNode.Entry e : m.entries().values()) {
            String limitPath = Paths.child(path, e.key());
            if (!ContainerOptionsCheck.ULIMITS.contains(e.key())) {
                context.diagnostics().error(e, limitPath, "unknown ulimit \"" + e.key() + "\" (Docker knows "
                        + String.join(", ", ContainerOptionsCheck.ULIMITS) + ")");
                continue;
            }
            Long soft;
            Long hard;
            if (e.value() instanceof ComposeNode.Mapping pair) {
                soft = limit(pair, "soft", limitPath);
                hard = limit(pair, "hard", limitPath);
                pair.entries().values().stream().filter(p -> !p.key().equals("soft") && !p.key().equals("hard"))
                        .forEach(p -> context.diagnostics().error(p, Paths.child(limitPath, p.key()),
                                "unknown key (a limit has soft and hard)"));
            } else {
                soft = number(e.value(), limitPath).orElse(null);
                hard = soft;
            }
            if (soft == null || hard == null) {
                continue;
            }
            if (hard != -1 && (soft == -1 || soft > hard)) {
                context.diagnostics().error(e.value(), limitPath, "soft limit " + soft + " is above the hard limit " + hard);
                continue;
            }
            ObjectNode limit = out.putObject(e.key());
            limit.put("soft", soft);
            limit.put("hard", hard);
        }
        if (!out.isEmpty()) {
            service.set("ulimits", out);
        }
    }

    private Long limit(ComposeNode.Mapping pair, String key, String path) {
        ComposeNode value = pair.get(key);
        if (value == null) {
            context.diagnostics().error(pair, path, "a limit written as a mapping needs both soft and hard; " + key
                    + " is missing");
            return null;
        }
        return number(value, Paths.child(path, key)).orElse(null);
    }

    private Optional<Long> number(ComposeNode v, String path) {
        return context.nodes().text(v, path).flatMap(t -> {
            try {
                long n = Long.parseLong(t.strip());
                if (n >= -1) {
                    return Optional.of(n);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            context.diagnostics().error(v, path, "expected a whole number (-1 for unlimited), got \"" + t + "\"");
            return Optional.empty();
        });
    }

    /** Driver and options; numbers in options become strings, as Docker's log options are. */
    void logging(ComposeNode v, String path, ObjectNode service) {
        if (!(v instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(v, path, "expected a mapping with driver and options, got " + v.shape());
            return;
        }
        ObjectNode out = service.objectNode();
        ObjectNode options = out.objectNode();
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            switch (e.key()) {
                case "driver" -> context.nodes().text(e.value(), keyPath).ifPresent(d -> out.put("driver", d));
                case "options" -> {
                    if (!e.value().isNull()) {
                        context.nodes().keyValues(e.value(), keyPath).values()
                                .forEach(kv -> options.put(kv.key(), kv.value() == null ? "" : kv.value()));
                    }
                }
                default -> context.diagnostics().dropped(e, keyPath, "unknown key (logging has driver and options)");
            }
        }
        if (!out.has("driver")) {
            // Compose passes the options to the daemon's default driver, which the import cannot know.
            context.diagnostics().warn(v, path, "logging without a driver: the options belong to the Docker daemon's "
                    + "default log driver, which Berth needs named; dropped (add driver: json-file, or the daemon's)");
            return;
        }
        if (!options.isEmpty()) {
            out.set("options", options);
        }
        service.set("logging", out);
    }

    /** A mapping, or a list of {@code name=value}. */
    void sysctls(ComposeNode v, String path, ObjectNode service) {
        ObjectNode out = service.objectNode();
        for (Nodes.Valued kv : context.nodes().keyValues(v, path).values()) {
            if (kv.value() == null) {
                context.diagnostics().error(kv.line(), kv.column(), kv.path(), "sysctl " + kv.key() + " has no value");
            } else {
                out.put(kv.key(), kv.value());
            }
        }
        if (!out.isEmpty()) {
            service.set("sysctls", out);
        }
    }

    /**
     * As compose-go reads them: a list of {@code host=ip} or {@code host:ip} ("=" tried first, so an IPv6 address
     * keeps its colons), or a mapping of host to an address or a list of them; several addresses may be separated
     * by commas; brackets around an IPv6 address are dropped. Written as Docker takes them: {@code host:ip}.
     */
    void extraHosts(ComposeNode v, String path, ObjectNode service) {
        ArrayNode out = service.arrayNode();
        if (v instanceof ComposeNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                ComposeNode item = s.items().get(i);
                String itemPath = Paths.item(path, i);
                context.nodes().text(item, itemPath).ifPresent(t -> {
                    int sep = t.indexOf('=') >= 0 ? t.indexOf('=') : t.indexOf(':');
                    if (sep < 0) {
                        context.diagnostics().error(item, itemPath, "\"" + t + "\" has no address (write host:ip or host=ip)");
                    } else {
                        for (String ip : t.substring(sep + 1).split(",", -1)) {
                            extraHost(t.substring(0, sep), ip, item, itemPath, out);
                        }
                    }
                });
            }
        } else if (v instanceof ComposeNode.Mapping m) {
            for (ComposeNode.Entry e : m.entries().values()) {
                String keyPath = Paths.child(path, e.key());
                for (String ip : context.nodes().texts(e.value(), keyPath)) {
                    extraHost(e.key(), ip, e.value(), keyPath, out);
                }
            }
        } else {
            context.diagnostics().error(v, path, "expected a list of host:ip or a mapping of host to ip, got " + v.shape());
        }
        if (!out.isEmpty()) {
            service.set("extraHosts", out);
        }
    }

    private void extraHost(String host, String ip, ComposeNode at, String path, ArrayNode out) {
        String address = ip.strip();
        if (address.length() > 2 && address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        if (!EXTRA_HOST_NAME.matcher(host).matches()) {
            context.diagnostics().error(at, path, "\"" + host + "\" is not a host name");
        } else if (!ContainerOptionsCheck.isHostAddress(address)) {
            context.diagnostics().error(at, path, "\"" + address + "\" is not an IPv4 or IPv6 address (or host-gateway)");
        } else {
            out.add(host + ":" + address);
        }
    }

    /** Short {@code /dev/a[:/dev/b[:rwm]]}, or long {@code {source, target, permissions}}. */
    void devices(ComposeNode v, String path, ObjectNode service) {
        if (!(v instanceof ComposeNode.Sequence s)) {
            context.diagnostics().error(v, path, "expected a list of devices, got " + v.shape());
            return;
        }
        ArrayNode out = service.arrayNode();
        for (int i = 0; i < s.items().size(); i++) {
            ComposeNode item = s.items().get(i);
            String itemPath = Paths.item(path, i);
            String source = null;
            String target = null;
            String permissions = null;
            if (item instanceof ComposeNode.Mapping m) {
                for (ComposeNode.Entry e : m.entries().values()) {
                    String keyPath = Paths.child(itemPath, e.key());
                    switch (e.key()) {
                        case "source" -> source = context.nodes().text(e.value(), keyPath).orElse(null);
                        case "target" -> target = context.nodes().text(e.value(), keyPath).orElse(null);
                        case "permissions" -> permissions = context.nodes().text(e.value(), keyPath).orElse(null);
                        default -> context.diagnostics().dropped(e, keyPath, "unknown key (a device has source, target and permissions)");
                    }
                }
            } else {
                String text = context.nodes().text(item, itemPath).orElse(null);
                if (text == null) {
                    continue;
                }
                String[] parts = text.split(":", -1);
                if (parts.length > 3) {
                    context.diagnostics().error(item, itemPath, "\"" + text + "\" is not HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]");
                    continue;
                }
                source = parts[0];
                target = parts.length > 1 ? parts[1] : null;
                permissions = parts.length > 2 ? parts[2] : null;
            }
            device(source, target, permissions, item, itemPath).ifPresent(out::add);
        }
        if (!out.isEmpty()) {
            service.set("devices", out);
        }
    }

    private Optional<String> device(String source, String target, String permissions, ComposeNode at, String path) {
        if (source == null || !source.startsWith("/")) {
            context.diagnostics().error(at, path, "the device's host path must be absolute, got "
                    + (source == null ? "none" : "\"" + source + "\""));
            return Optional.empty();
        }
        if (target != null && !target.startsWith("/")) {
            context.diagnostics().error(at, path, "the device's container path must be absolute, got \"" + target + "\"");
            return Optional.empty();
        }
        if (permissions != null && !PERMISSIONS.matcher(permissions).matches()) {
            context.diagnostics().error(at, path, "device permissions are r, w and m (e.g. rwm), got \"" + permissions + "\"");
            return Optional.empty();
        }
        // compose-go's defaults: the same path inside, every permission (Docker's too): written out only when not so.
        String inside = target == null ? source : target;
        String device = permissions == null || permissions.equals("rwm")
                ? (inside.equals(source) ? source : source + ":" + inside)
                : source + ":" + inside + ":" + permissions;
        return Optional.of(device);
    }

    /** Docker reads signal names in any case, with or without SIG; the Stack writes them in capitals. */
    void stopSignal(ComposeNode v, String path, ObjectNode service) {
        context.nodes().text(v, path).map(t -> t.strip().toUpperCase(Locale.ROOT)).ifPresent(signal -> {
            if (SIGNAL.matcher(signal).matches()) {
                service.put("stopSignal", signal);
            } else {
                context.diagnostics().error(v, path, "\"" + signal + "\" is not a signal like SIGTERM, SIGQUIT or 15");
            }
        });
    }

    /** Compose's durations add days and weeks to Go's; those are written in seconds. */
    void stopGracePeriod(ComposeNode v, String path, ObjectNode service) {
        context.nodes().text(v, path).map(String::strip).ifPresent(text -> {
            if (Durations.isDuration(text)) {
                service.put("stopGracePeriod", text);
                return;
            }
            if (!COMPOSE_DURATION.matcher(text).matches()) {
                context.diagnostics().error(v, path, "\"" + text + "\" is not a duration like 10s, 1m30s or 2h");
                return;
            }
            BigDecimal nanos = BigDecimal.ZERO;
            Matcher m = DURATION_PART.matcher(text);
            while (m.find()) {
                nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
            }
            Duration d = Duration.ofNanos(nanos.longValue());
            service.put("stopGracePeriod", d.getNano() == 0 ? d.getSeconds() + "s" : d.toMillis() + "ms");
        });
    }

    /** Bytes, or a quantity as Docker reads it ({@code 64m}, {@code 1gb}); Compose reads it the same way. */
    void shmSize(ComposeNode v, String path, ObjectNode service) {
        context.nodes().text(v, path).map(String::strip).ifPresent(size -> {
            if (Quantities.isQuantity(size)) {
                service.put("shmSize", size);
            } else {
                context.diagnostics().error(v, path, "\"" + size + "\" is not a size like 64m, 1g or a number of bytes");
            }
        });
    }

    /** Never carried (a stack's services join its networks); the message says what Berth does instead of each mode. */
    void networkMode(ComposeNode.Entry e, String path) {
        String mode = e.value() instanceof ComposeNode.Scalar s ? s.text().strip() : e.value().shape();
        String why;
        if (mode.equals("host")) {
            why = "host networking is not supported: the service gets its own address on the stack's networks, not "
                    + "the host's; publish the ports it listens on (ports:)";
        } else if (mode.equals("none")) {
            why = "none (no network) is not supported: the service joins the stack's networks and has network access; "
                    + "to keep it from the outside, put it on a network with internal: true";
        } else if (mode.equals("bridge")) {
            why = "bridge (Docker's default bridge) is not needed: the service joins the stack's network, where "
                    + "services reach each other by name";
        } else if (mode.startsWith("service:")) {
            String other = mode.substring("service:".length());
            String name = context.services().getOrDefault(other, other);
            why = mode + " (sharing " + other + "'s network stack) is not supported: the service gets its own address "
                    + "on the stack's networks, so localhost does not reach " + other + " and its traffic no longer "
                    + "goes through it (a VPN sidecar is bypassed); reach it by name (" + name + ":PORT)";
        } else if (mode.startsWith("container:")) {
            String other = mode.substring("container:".length());
            why = mode + " (sharing that container's network stack) is not supported: the service gets its own "
                    + "address on the stack's networks, so localhost does not reach " + other + " and its traffic no "
                    + "longer goes through it; reach it by name on a network both join";
        } else {
            why = mode + " is not supported here: list the network under the service's networks instead";
        }
        context.diagnostics().dropped(e, path, why);
    }
}
