package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One compose service into one Stack service; Traefik labels are handed back for the Route conversion. */
final class ServiceConverter {
    /** The Stack's field order, so the printed service reads like one written by hand. */
    private static final List<String> FIELD_ORDER = List.of("name", "image", "imagePullPolicy", "build", "entrypoint", "command", "env", "labels",
            "ports", "volumes", "secrets", "configs", "networks", "dependsOn", "restart", "healthcheck", "resources",
            "user", "readOnly", "capAdd", "capDrop", "securityOpt", "init", "placement", "replicas", "update",
            "hostname", "workingDir", "privileged", "ulimits", "logging", "sysctls", "extraHosts", "devices",
            "stopSignal", "stopGracePeriod", "shmSize", "aliases", "containerName");

    /** Why common keys cannot be carried over; any other key gets a generic reason. */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("volumes_from", "not supported (declare the volumes on this service)"));

    private static final java.util.Set<String> KNOWN = java.util.Set.of("annotations", "attach", "blkio_config",
            "cgroup", "cgroup_parent", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period",
            "cpu_rt_runtime", "cpu_shares", "cpuset", "credential_spec", "develop", "device_cgroup_rules",
            "dns", "dns_opt", "dns_search", "domainname", "external_links", "gpus", "group_add",
            "ipc", "isolation", "label_file", "mac_address", "mem_swappiness", "memswap_limit", "models",
            "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "post_start", "pre_stop",
            "provider", "runtime", "stdin_open",
            "storage_opt", "tty", "use_api_socket", "userns_mode", "uts");

    private final ImportContext context;
    private final boolean keepContainerNames;

    ServiceConverter(ImportContext context) {
        this(context, false);
    }

    /** @param keepContainerNames container_name becomes containerName (else an alias), as --keep-container-names asks */
    ServiceConverter(ImportContext context, boolean keepContainerNames) {
        this.context = context;
        this.keepContainerNames = keepContainerNames;
    }

    /** A converted service, and its Traefik labels (with where they were written) when routes are made. */
    record Converted(String composeName, ObjectNode spec, List<Nodes.Valued> traefikLabels) {
    }

    Converted convert(ComposeNode.Entry entry, boolean routes) {
        String path = Paths.child("services", entry.key());
        String name = context.services().get(entry.key());
        ObjectNode service = JsonNodeFactory.instance.objectNode();
        service.put("name", name);
        List<Nodes.Valued> traefik = new java.util.ArrayList<>();
        if (!(entry.value() instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(entry.value(), path, "expected a mapping, got " + entry.value().shape());
            return new Converted(entry.key(), service, traefik);
        }
        Map<String, String> env = new LinkedHashMap<>();
        FileReferenceConverter files = new FileReferenceConverter(context);
        ComposeNode envFile = m.get("env_file");
        if (envFile != null) {
            env.putAll(envFiles(envFile, Paths.child(path, "env_file")));
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            ComposeNode v = e.value();
            switch (e.key()) {
                case "image" -> context.nodes().text(v, keyPath).ifPresent(t -> image(t, v, keyPath, service));
                case "build" -> new BuildConverter(context).convert(v, keyPath).ifPresent(b -> service.set("build", b));
                case "pull_policy" -> {
                    // read below, once it is known whether the service builds
                }
                case "command", "entrypoint" -> words(v, keyPath).ifPresent(w -> service.set(e.key(), w));
                case "environment" -> environment(v, keyPath, env);
                case "env_file" -> {
                    // read above, so that environment wins over it whatever the key order
                }
                case "labels" -> labels(v, keyPath, service, traefik, routes);
                case "ports" -> new PortConverter(context).ports(v, keyPath).forEach(p -> arrayOf(service, "ports").add(p));
                case "expose" -> new PortConverter(context).expose(v, keyPath).forEach(p -> arrayOf(service, "ports").add(p));
                case "volumes" -> new VolumeConverter(context, name).volumes(v, keyPath).forEach(x -> arrayOf(service, "volumes").add(x));
                case "tmpfs" -> new VolumeConverter(context, name).tmpfs(v, keyPath).forEach(x -> arrayOf(service, "volumes").add(x));
                case "secrets" -> service.set("secrets", files.convert(v, keyPath, true));
                case "configs" -> service.set("configs", files.convert(v, keyPath, false));
                case "networks" -> networks(v, keyPath, service);
                case "depends_on" -> dependsOn(v, keyPath, service);
                case "healthcheck" -> new HealthcheckConverter(context).convert(v, keyPath).ifPresent(h -> service.set("healthcheck", h));
                case "restart" -> restart(v, keyPath, service, m);
                case "deploy" -> new DeployConverter(context).deploy(v, keyPath, service);
                case "cpus", "mem_limit", "mem_reservation", "scale" -> new DeployConverter(context).legacy(e, keyPath, service);
                case "user" -> context.nodes().text(v, keyPath).ifPresent(t -> service.put("user", t));
                case "read_only" -> context.nodes().bool(v, keyPath).filter(b -> b).ifPresent(b -> service.put("readOnly", true));
                case "init" -> context.nodes().bool(v, keyPath).filter(b -> b).ifPresent(b -> service.put("init", true));
                case "cap_add" -> strings(v, keyPath, service, "capAdd");
                case "cap_drop" -> strings(v, keyPath, service, "capDrop");
                case "security_opt" -> strings(v, keyPath, service, "securityOpt");
                case "profiles" -> {
                    // read by Profiles: a service whose profiles are not enabled is left out before conversion
                }
                case "hostname" -> options().hostname(v, keyPath, service);
                case "working_dir" -> options().workingDir(v, keyPath, service);
                case "privileged" -> options().privileged(v, keyPath, service);
                case "ulimits" -> options().ulimits(v, keyPath, service);
                case "logging" -> options().logging(v, keyPath, service);
                case "sysctls" -> options().sysctls(v, keyPath, service);
                case "extra_hosts" -> options().extraHosts(v, keyPath, service);
                case "devices" -> options().devices(v, keyPath, service);
                case "stop_signal" -> options().stopSignal(v, keyPath, service);
                case "stop_grace_period" -> options().stopGracePeriod(v, keyPath, service);
                case "shm_size" -> options().shmSize(v, keyPath, service);
                case "network_mode" -> options().networkMode(e, keyPath);
                case "links" -> {
                    // read by ServiceAliases once every service is converted: a link's alias is the linked service's
                }
                case "container_name" -> {
                    if (keepContainerNames) {
                        containerName(v, keyPath, service);
                    } // else an alias: read by ServiceAliases
                }
                default -> unsupported(e, keyPath);
            }
        }
        if (!RestartDefault.declared(m)) {
            service.put("restart", RestartDefault.COMPOSE_DEFAULT); // named in the file's note (RestartDefault.note)
        }
        if (!env.isEmpty()) {
            ObjectNode envNode = service.putObject("env");
            env.forEach(envNode::put);
        }
        if (m.get("pull_policy") != null) {
            pullPolicy(m.entries().get("pull_policy"), Paths.child(path, "pull_policy"), service);
        }
        if (m.get("image") == null && m.get("build") == null) {
            context.diagnostics().error(entry, path, "has no image and no build");
        }
        files.checkTargets(service);
        new DeployConverter(context).reservationsWithinLimits(m, path, service);
        scaleInGlobalMode(m, path, service);
        onePerHostWithPublishedPorts(m, path, service);
        if (!service.has("networks") && !context.defaultNetwork().equals("default")) {
            arrayOf(service, "networks").add(context.defaultNetwork());
        }
        return new Converted(entry.key(), ordered(service), traefik);
    }

    /** The older scale: next to deploy.mode: global; deploy.replicas there is dropped by the DeployConverter. */
    private void scaleInGlobalMode(ComposeNode.Mapping m, String path, ObjectNode service) {
        if (service.path("placement").path("mode").asText().equals("global") && service.has("replicas")
                && m.entries().get("scale") != null) {
            context.diagnostics().dropped(m.entries().get("scale"), Paths.child(path, "scale"),
                    "has no meaning in global mode (one replica on every host)");
            service.remove("replicas");
        }
    }

    /**
     * Two containers cannot take one host port: the scheduler puts at most one replica of such a service on a host,
     * so replicas above 1 need as many hosts (Compose fails at start on one host; Swarm's routing mesh, which Berth
     * has not, would share the port). Global mode has one replica per host already.
     */
    private void onePerHostWithPublishedPorts(ComposeNode.Mapping m, String path, ObjectNode service) {
        int replicas = service.path("replicas").asInt(1);
        boolean publishes = false;
        for (JsonNode port : service.path("ports")) {
            publishes |= port.has("published");
        }
        if (replicas > 1 && publishes) {
            ComposeNode.Entry at = m.entries().get("scale");
            String atPath = Paths.child(path, "scale");
            if (m.get("deploy") instanceof ComposeNode.Mapping deploy && deploy.entries().containsKey("replicas")) {
                at = deploy.entries().get("replicas");
                atPath = Paths.child(path, "deploy.replicas");
            }
            String message = "replicas: " + replicas + " with a published host port: at most one replica runs on "
                    + "a host (the port binds once), so they need " + replicas + " hosts; on fewer the rest stay Pending";
            if (at == null) {
                context.diagnostics().warn(m, path, message);
            } else {
                context.diagnostics().warn(at, atPath, message);
            }
        }
    }

    /** The image as written, when Docker would take it (else the Stack would not validate: said here, at its line). */
    private void image(String image, ComposeNode at, String path, ObjectNode service) {
        java.util.Optional<String> problem = dev.berth.crds.stack.ImageReference.problem(image);
        if (problem.isPresent()) {
            context.diagnostics().error(at, path, problem.get());
        } else {
            service.put("image", image);
        }
    }

    /** Compose's pull_policy in Kubernetes' words; what Berth has no counterpart for becomes IfNotPresent. */
    private void pullPolicy(ComposeNode.Entry e, String path, ObjectNode service) {
        String policy = context.nodes().text(e.value(), path).orElse(null);
        if (policy == null) {
            return;
        }
        boolean builds = service.has("build");
        String berth = switch (policy) {
            case "always" -> "Always";
            case "never" -> {
                if (builds) {
                    context.diagnostics().warn(e.value(), path, "pull_policy: never with build: a built image is "
                            + "never pulled by Berth; using IfNotPresent");
                    yield "IfNotPresent";
                }
                yield "Never";
            }
            case "missing", "if_not_present" -> "IfNotPresent";
            case "build" -> {
                context.diagnostics().warn(e.value(), path, "pull_policy: build has no counterpart: Berth builds "
                        + "when the build context changes; using IfNotPresent");
                yield "IfNotPresent";
            }
            default -> {
                if (policy.equals("daily") || policy.equals("weekly") || policy.startsWith("every_")) {
                    context.diagnostics().warn(e.value(), path, "pull_policy: " + policy + " has no counterpart: "
                            + "Berth resolves the tag once and keeps that digest until the service changes or "
                            + "berth restart stack; using IfNotPresent");
                    yield "IfNotPresent";
                }
                context.diagnostics().error(e.value(), path, "unknown pull_policy \"" + policy + "\" (expected "
                        + "always, never, missing, if_not_present, build, daily, weekly or every_<duration>)");
                yield null;
            }
        };
        if (berth != null) {
            service.put("imagePullPolicy", berth);
        }
    }

    private void unsupported(ComposeNode.Entry e, String path) {
        String reason = UNSUPPORTED.get(e.key());
        if (reason == null && e.key().startsWith("x-")) {
            reason = "extension field, ignored as Compose does";
        } else if (reason == null) {
            reason = KNOWN.contains(e.key()) ? "not supported by the Stack schema"
                    : "unknown key (not in the Compose specification)";
        }
        context.diagnostics().dropped(e, path, reason);
    }

    /** A string is split like a shell would (Compose never runs it through one); a list is taken as it is. */
    private java.util.Optional<ArrayNode> words(ComposeNode v, String path) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (v instanceof ComposeNode.Sequence) {
            context.nodes().texts(v, path).forEach(out::add);
        } else {
            String text = context.nodes().text(v, path).orElse(null);
            if (text == null) {
                return java.util.Optional.empty();
            }
            var split = ShellWords.split(text);
            if (split.isEmpty()) {
                context.diagnostics().error(v, path, "a quote is never closed in \"" + text + "\"");
                return java.util.Optional.empty();
            }
            split.get().forEach(out::add);
        }
        if (out.isEmpty()) {
            context.diagnostics().warn(v, path, "an empty list (clear the image's value) is not supported; the image's value stays");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(out);
    }

    private void environment(ComposeNode v, String path, Map<String, String> env) {
        for (Nodes.Valued kv : context.nodes().keyValues(v, path).values()) {
            if (kv.value() != null) {
                env.put(kv.key(), kv.value());
            } else if (context.environment().containsKey(kv.key())) {
                // KEY alone passes the importing shell's value through, as Compose does at `up`.
                env.put(kv.key(), context.environment().get(kv.key()));
            } else {
                env.remove(kv.key());
                context.diagnostics().warn(kv, kv.path(), "variable " + kv.key()
                        + " has no value here and is not set in the environment; dropped");
            }
        }
    }

    private Map<String, String> envFiles(ComposeNode v, String path) {
        Map<String, String> env = new LinkedHashMap<>();
        List<ComposeNode> items = v instanceof ComposeNode.Sequence s ? s.items() : List.of(v);
        for (int i = 0; i < items.size(); i++) {
            ComposeNode item = items.get(i);
            String itemPath = v instanceof ComposeNode.Sequence ? Paths.item(path, i) : path;
            String file = null;
            boolean required = true;
            if (item instanceof ComposeNode.Mapping m) {
                for (ComposeNode.Entry e : m.entries().values()) {
                    switch (e.key()) {
                        case "path" -> file = context.nodes().text(e.value(), Paths.child(itemPath, "path")).orElse(null);
                        case "required" -> required = context.nodes().bool(e.value(), Paths.child(itemPath, "required")).orElse(true);
                        default -> context.diagnostics().dropped(e, Paths.child(itemPath, e.key()), "not supported");
                    }
                }
            } else {
                file = context.nodes().text(item, itemPath).orElse(null);
            }
            if (file == null) {
                continue;
            }
            Path resolved = context.directory().resolve(file).normalize();
            if (!Files.exists(resolved)) {
                if (required) {
                    context.diagnostics().error(item, itemPath, "env file " + resolved + " not found");
                } else {
                    context.diagnostics().warn(item, itemPath, "env file " + resolved + " not found; skipped (required: false)");
                }
                continue;
            }
            String text;
            try {
                // Only a regular file of apply's size: a device (/dev/zero) or a huge file would never end.
                text = ComposeFiles.read(resolved, file);
            } catch (ComposeException e) {
                context.diagnostics().error(item, itemPath, "cannot read env file " + resolved + ": "
                        + e.problem().message());
                continue;
            }
            try {
                EnvFile reader = new EnvFile(file, context.environment()::get, context.budget());
                reader.read(text, env);
                reader.warnings().forEach(context.diagnostics()::warn);
            } catch (ComposeException e) {
                context.diagnostics().error(item, itemPath, "env file " + e.problem().file() + " line "
                        + e.problem().line() + ": " + e.problem().message());
            }
        }
        return env;
    }

    private void labels(ComposeNode v, String path, ObjectNode service, List<Nodes.Valued> traefik, boolean routes) {
        ObjectNode labels = JsonNodeFactory.instance.objectNode();
        for (Nodes.Valued kv : context.nodes().keyValues(v, path).values()) {
            if (kv.key().startsWith("berth.dev/")) {
                context.diagnostics().warn(kv, kv.path(), "berth.dev/ labels are Berth's own; dropped");
            } else if (routes && kv.key().startsWith("traefik.")) {
                traefik.add(kv);
            } else {
                labels.put(kv.key(), kv.value() == null ? "" : kv.value());
            }
        }
        if (!labels.isEmpty()) {
            service.set("labels", labels);
        }
    }

    private void networks(ComposeNode v, String path, ObjectNode service) {
        ArrayNode out = arrayOf(service, "networks");
        if (v instanceof ComposeNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                ComposeNode item = s.items().get(i);
                String itemPath = Paths.item(path, i);
                context.nodes().text(item, itemPath).ifPresent(n -> network(n, item, itemPath, out));
            }
        } else if (v instanceof ComposeNode.Mapping m) {
            for (ComposeNode.Entry e : m.entries().values()) {
                String keyPath = Paths.child(path, e.key());
                network(e.key(), e.value(), keyPath, out);
                if (e.value() instanceof ComposeNode.Mapping options) {
                    // aliases are the service's: read by ServiceAliases once every service is converted
                    options.entries().values().stream().filter(o -> !o.key().equals("aliases")).forEach(o -> context
                            .diagnostics().dropped(o, Paths.child(keyPath, o.key()), "not supported by the Stack schema"));
                }
            }
        } else {
            context.diagnostics().error(v, path, "expected a list or a mapping of networks, got " + v.shape());
        }
    }

    private void network(String composeName, ComposeNode at, String path, ArrayNode out) {
        String berth = context.networks().get(composeName);
        if (berth == null) {
            context.diagnostics().error(at, path, "network \"" + composeName + "\" is not declared under the top-level networks");
        } else {
            out.add(berth);
        }
    }

    private void dependsOn(ComposeNode v, String path, ObjectNode service) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (v instanceof ComposeNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                ComposeNode item = s.items().get(i);
                String itemPath = Paths.item(path, i);
                context.nodes().text(item, itemPath).ifPresent(d -> dependency(d, "service_started", item, itemPath, out));
            }
        } else if (v instanceof ComposeNode.Mapping m) {
            for (ComposeNode.Entry e : m.entries().values()) {
                String keyPath = Paths.child(path, e.key());
                String condition = "service_started";
                if (e.value() instanceof ComposeNode.Mapping options) {
                    for (ComposeNode.Entry o : options.entries().values()) {
                        String optionPath = Paths.child(keyPath, o.key());
                        switch (o.key()) {
                            case "condition" -> condition = context.nodes().text(o.value(), optionPath).orElse(condition);
                            case "restart" -> context.diagnostics().dropped(o, optionPath,
                                    "not supported (Berth does not restart dependants)");
                            case "required" -> {
                                if (!context.nodes().bool(o.value(), optionPath).orElse(true)) {
                                    context.diagnostics().warn(o, optionPath, "optional dependencies are not supported; "
                                            + "the dependency is required");
                                }
                            }
                            default -> context.diagnostics().dropped(o, optionPath, "unknown key");
                        }
                    }
                }
                dependency(e.key(), condition, e.value().isNull() ? m : e.value(), keyPath, out);
            }
        } else {
            context.diagnostics().error(v, path, "expected a list or a mapping of services, got " + v.shape());
        }
        if (!out.isEmpty()) {
            service.set("dependsOn", out);
        }
    }

    private void dependency(String composeName, String condition, ComposeNode at, String path, ArrayNode out) {
        String berth = context.services().get(composeName);
        if (berth == null) {
            context.diagnostics().error(at, path, "service \"" + composeName + "\" is not a service of this file");
            return;
        }
        String berthCondition = switch (condition) {
            // service_completed_successfully: RestartDefault.completedDependencies checks the dependency is one-shot.
            case "service_started", "service_healthy", "service_completed_successfully" -> condition;
            default -> {
                context.diagnostics().error(at, path, "unknown condition \"" + condition + "\"");
                yield null;
            }
        };
        if (berthCondition != null) {
            ObjectNode d = out.addObject();
            d.put("service", berth);
            if (!berthCondition.equals("service_started")) {
                d.put("condition", berthCondition);
            }
        }
    }

    private void restart(ComposeNode v, String path, ObjectNode service, ComposeNode.Mapping m) {
        if (!RestartDefault.written(v)) {
            return; // unset, as in Compose: the default "no" is set with the others (RestartDefault.note)
        }
        String text = context.nodes().text(v, path).orElse("");
        if (RestartDefault.deployDecides(m)) {
            // Compose applies deploy.restart_policy after restart: (DeployConverter carries it).
            context.diagnostics().warn(v, path, "restart: " + text + " is overridden by deploy.restart_policy.condition, "
                    + "as in Compose; dropped");
            return;
        }
        if (text.startsWith("on-failure:")) {
            context.diagnostics().warn(v, path, "the retry limit of \"" + text + "\" is not supported; using on-failure");
            text = "on-failure";
        }
        switch (text) {
            case "no", "always", "on-failure", "unless-stopped" -> service.put("restart", text);
            case "false" -> service.put("restart", "no");
            default -> context.diagnostics().error(v, path, "expected no, always, on-failure or unless-stopped, got \"" + text + "\"");
        }
    }

    private void strings(ComposeNode v, String path, ObjectNode service, String field) {
        List<String> values = context.nodes().texts(v, path);
        if (!values.isEmpty()) {
            ArrayNode out = arrayOf(service, field);
            values.forEach(out::add);
        }
    }

    private static ArrayNode arrayOf(ObjectNode service, String field) {
        return service.has(field) ? (ArrayNode) service.get(field) : service.putArray(field);
    }

    static ObjectNode ordered(ObjectNode service) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String field : FIELD_ORDER) {
            JsonNode value = service.get(field);
            if (value != null && !(value.isContainerNode() && value.isEmpty())) {
                out.set(field, value);
            }
        }
        return out;
    }

    /** hostname ... shm_size, and network_mode's message: see {@link ContainerOptionsConverter}. */
    private ContainerOptionsConverter options() {
        return new ContainerOptionsConverter(context);
    }

    /** --keep-container-names: container_name is the container's Docker name (ServiceAliases checks replicas). */
    private void containerName(ComposeNode v, String path, ObjectNode service) {
        context.nodes().text(v, path).ifPresent(name -> {
            if (name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
                service.put("containerName", name);
            } else {
                context.diagnostics().error(v, path, "container_name \"" + name + "\" is no Docker container name "
                        + "(letters, digits, _ . -; starting with a letter or digit)");
            }
        });
    }
}
