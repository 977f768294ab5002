package dev.berth.operator.cli;

import dev.berth.operator.manifests.ManifestFiles;
import dev.berth.operator.manifests.Manifests;
import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.route.RouteSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.reconcilers.desired.DesiredHere;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.control.ExternalNetworks;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.InstrumentedDocker;
import dev.berth.reconcilers.labels.BerthLabels;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.StackAction;
import dev.berth.reconcilers.stack.StackPlanner;
import dev.berth.reconcilers.stack.StackHere;
import dev.berth.reconcilers.stack.ServiceFiles;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.MountPlan;
import dev.berth.crds.stack.ServiceSpec;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"berth diff stack NAME --host H: print the actions the operator would run for a stack on a host,"
                + " from etcd and that host's Docker.",
                "berth diff -f DIR: print what applying DIR would change in etcd: KIND/NAME created, changed (with a"
                + " unified diff of the stored YAML), unchanged; with --gitsource NAME also the objects of that source"
                + " that DIR no longer has (deleted if the source prunes). A Secret is never printed: only the names of"
                + " the keys whose values changed (with --secret-key-file; without it a Secret with plain or different"
                + " values counts as changed).",
                "Nothing is ever changed. Exit 0 when there is nothing to do, 1 when there is, 2 or more on an error"
                + " (as kubectl diff)."},
        exitCodeOnExecutionException = 2)
public final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KIND")
    String kindName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR|-",
            description = "Compare these manifests with etcd instead (a file, a folder, or - for stdin). Repeatable.")
    List<String> files;

    @Option(names = "--gitsource", paramLabel = "NAME",
            description = "With -f: also list objects annotated with this GitSource that the files no longer have.")
    String gitSource;

    @Mixin
    SecretKeyOption secretKey;

    @Option(names = "--host", paramLabel = "NAME", defaultValue = "${env:BERTH_HOST}",
            description = "The host to plan for (env BERTH_HOST; default: this machine if it is a registered host, else"
                    + " the only registered host; a name no operator registered gets a warning).")
    String host;

    @Option(names = "--host-label", paramLabel = "KEY=VALUE",
            description = "That host's labels (default: those of its host record).")
    Map<String, String> hostLabels = new LinkedHashMap<>();

    @Option(names = "--docker-host", paramLabel = "URL", defaultValue = "${env:DOCKER_HOST:-unix:///var/run/docker.sock}",
            description = "That host's Docker endpoint (default ${DEFAULT-VALUE}).")
    String dockerHost;

    @Option(names = "--instance", paramLabel = "NAME", defaultValue = "${env:BERTH_INSTANCE:-berth}",
            description = "The operator's instance (managed-by label value; default ${DEFAULT-VALUE}).")
    String instance;

    @Option(names = "--dns", paramLabel = "true|false", defaultValue = "true", arity = "0..1", fallbackValue = "true",
            description = "Whether that host's operator answers names on the Berth Networks (its --dns, off with --netns;"
                    + " default ${DEFAULT-VALUE}): containers there are planned with its gateway as DNS server.")
    boolean dns;

    @Override
    public Integer call() throws Exception {
        Kinds kinds = Kinds.standard();
        if (files != null && !files.isEmpty()) {
            if (kindName != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give either -f FILE|DIR or KIND NAME, not both");
            }
            return diffFiles(kinds);
        }
        if (kindName == null || name == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing KIND NAME (or -f FILE|DIR)");
        }
        KindDef kind = KindArgument.resolve(kinds, kindName, spec.commandLine());
        if (!kind.kind().equals("Stack")) {
            throw new CliException("diff supports stacks only");
        }
        Optional<StoredObject> object;
        Map<String, RouteSpec> routes;
        Optional<dev.berth.reconcilers.schedule.StackAssignment> assignment;
        HostInfo info;
        java.util.Set<String> declaredNetworks;
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            String hosts = session.store().keys().hostsPrefix();
            info = DiffHost.choose(host, localHostName(), hostLabels,
                    PlacementNotice.hosts(session.kv().list(hosts).values(), hosts), spec.commandLine().getErr());
            object = session.store().get(kind, name);
            routes = labelRoutes(session.store().list(kinds.byKind("Route").orElseThrow()));
            // As the operator reads them: a Network whose stored spec is invalid counts as not declared.
            declaredNetworks = session.store().list(kinds.byKind("Network").orElseThrow()).stream()
                    .filter(StoredObject::valid).map(o -> o.key().name()).collect(java.util.stream.Collectors.toSet());
            // Which replicas the scheduler gave this host: the same input the operator plans from.
            assignment = session.kv().get(session.store().keys().assignment(name))
                    .flatMap(v -> new dev.berth.operator.cache.AssignmentJson().read(v.value()));
        }
        if (object.isPresent() && !object.get().valid()) {
            throw new CliException("stack/" + name + " is invalid in etcd: " + object.get().errors().get(0));
        }
        String hostName = info.name();
        // The same derivation as the operator's: placement, plus the labels of labels-mode Routes.
        Optional<StackHere> desired = DesiredHere.stack(name,
                object.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class)), info, routes, assignment);
        ObservedStack observed;
        try (DockerClient client = DockerClients.connect(dockerHost)) {
            Docker docker = new InstrumentedDocker(client, instance);
            String owner = "stack/" + name;
            List<dev.berth.reconcilers.docker.ObservedNetwork> networks = docker.listManagedNetworks();
            List<ListedContainer> containers = docker.listManagedContainerDetails().stream()
                    .filter(c -> owner.equals(c.container().labels().get(BerthLabels.OWNER))).toList();
            observed = new ObservedStack(containers.stream().map(ListedContainer::container).toList(),
                    networks.stream().filter(n -> owner.equals(n.labels().get(BerthLabels.OWNER))).toList());
            desired = desired.map(h -> h.withFiles(filesOfRunning(h, containers, client)));
            if (dns) {
                // As the operator plans: each Berth Network's gateway is that of its Docker network on the host.
                Map<String, String> gateways = new TreeMap<>();
                networks.stream().filter(n -> n.gateway() != null
                                && ("network/" + n.name()).equals(n.labels().get(BerthLabels.OWNER)))
                        .forEach(n -> gateways.put(n.name(), n.gateway()));
                // Classified as the operator does: a Docker network made outside Berth is joined as it is (no names
                // answered there); a Berth Network whose gateway is not here yet is waited for, not taken for one.
                ExternalNetworks external = ExternalNetworks.orDocker(ExternalNetworks.declaredIn(declaredNetworks),
                        docker::findNetwork);
                java.util.Set<String> outside = new java.util.TreeSet<>();
                for (String network : desired.map(h -> dev.berth.reconcilers.stack.PlanBuilder.externalNetworks(h.spec()))
                        .orElse(java.util.Set.of())) {
                    switch (external.kind(network)) {
                        case DOCKER -> outside.add(network);
                        case NOT_FOUND -> throw new CliException("stack/" + name + " on " + info.name() + ": network \""
                                + network + "\" is neither a Network in etcd nor a Docker network made outside Berth"
                                + " on this host (the operator reports NetworkNotFound and keeps what runs)");
                        case BERTH -> { }
                    }
                }
                desired = desired.map(h -> h.withNames(dev.berth.reconcilers.stack.NameServers.on(gateways)
                        .withDockerNetworks(outside)));
            }
        } catch (CliException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CliException("cannot read Docker at " + dockerHost + ": " + e.getMessage());
        }
        List<StackAction> plan;
        try {
            plan = StackPlanner.makeHere(instance, name, desired, observed, System.currentTimeMillis() / 1000).actions();
        } catch (IllegalArgumentException e) {
            // A Berth Network not on the host yet: the operator waits for it before it plans containers.
            throw new CliException("stack/" + name + " on " + hostName + ": cannot plan: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (plan.isEmpty()) {
            out.println("stack/" + name + " on " + hostName + ": nothing to do");
        }
        plan.forEach(a -> out.println(a.describe()));
        out.flush();
        return plan.isEmpty() ? 0 : 1;
    }

    /** As the operator names this machine (its default --host); null when the machine cannot tell. */
    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /**
     * The Secret and Config files (and Secret environment values) of each service, as its running container has them:
     * only the operator, with the cluster key and this host's salt, can tell whether a Secret or Config changed, so the
     * diff neither shows such changes nor reports the files as one.
     */
    private Map<String, ServiceFiles> filesOfRunning(StackHere here, List<ListedContainer> containers,
                                                     DockerClient client) {
        Map<String, ServiceFiles> files = new TreeMap<>();
        for (ServiceSpec service : here.spec().services()) {
            if (!service.usesSecretsOrConfigs() || here.of(service.name()).isEmpty()) {
                continue;
            }
            spec.commandLine().getErr().println("note: service " + service.name() + " uses Secrets or Configs: their"
                    + " files are taken as its container has them (a changed Secret or Config is not shown)");
            Optional<ListedContainer> running = containers.stream()
                    .filter(c -> service.name().equals(c.container().labels().get(BerthLabels.SERVICE))).findFirst();
            if (running.isEmpty()) {
                continue;
            }
            List<MountPlan> mounts = new java.util.ArrayList<>();
            service.secrets().forEach(r -> mountOf(running.get(), r.effectiveTarget(true)).ifPresent(mounts::add));
            service.configs().forEach(r -> mountOf(running.get(), r.effectiveTarget(false)).ifPresent(mounts::add));
            Map<String, String> env = new TreeMap<>();
            if (!service.secretEnv().isEmpty()) {
                String[] all = client.inspectContainerCmd(running.get().container().id()).exec().getConfig().getEnv();
                for (String kv : all == null ? new String[0] : all) {
                    int eq = kv.indexOf('=');
                    if (eq > 0 && service.secretEnv().stream().anyMatch(e -> e.name().equals(kv.substring(0, eq)))) {
                        env.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
            files.put(service.name(), new ServiceFiles(mounts, env,
                    ServiceFiles.envDigestsOf(running.get().container().labels())));
        }
        return files;
    }

    private static Optional<MountPlan> mountOf(ListedContainer container, String target) {
        return Optional.ofNullable(container.mounts().get(target)).map(source -> new MountPlan("bind", source, target,
                true, null));
    }

    /**
     * The valid labels-mode Routes by name. An invalid Route in etcd is left out with a note: the operator keeps the
     * labels of its last valid version, which only the operator knows.
     */
    private Map<String, RouteSpec> labelRoutes(List<StoredObject> stored) {
        Map<String, RouteSpec> routes = new TreeMap<>();
        for (StoredObject route : stored) {
            if (!route.valid()) {
                spec.commandLine().getErr().println("note: " + route.key() + " is invalid in etcd; the operator keeps"
                        + " the labels of its last valid version, which this diff cannot know");
                continue;
            }
            route.resource().map(r -> r.spec(RouteSpec.class)).filter(r -> RouteSpec.LABELS.equals(r.mode()))
                    .ifPresent(r -> routes.put(route.key().name(), r));
        }
        return routes;
    }

    /** berth diff -f: each object of the files against etcd, as kubectl diff does; never writes. */
    private int diffFiles(Kinds kinds) {
        dev.berth.crds.ManifestParser parser = new dev.berth.crds.ManifestParser(kinds);
        Manifests.Loaded loaded = Manifests.load(parser, ManifestFiles.read(files, System.in));
        if (!loaded.report(spec.commandLine().getErr())) {
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean changes = false;
        java.util.Set<String> declared = new java.util.HashSet<>();
        Optional<dev.berth.operator.secrets.SecretKeyring> keyring = SecretSealer.anySecret(loaded.resources())
                ? secretKey.ifGiven() : Optional.empty();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            for (dev.berth.crds.Resource asWritten : loaded.resources()) {
                declared.add(asWritten.key());
                Optional<StoredObject> stored = session.store().get(asWritten.kind(), asWritten.metadata().name());
                if (asWritten.kind().kind().equals(SecretSealer.SECRET)) {
                    changes |= diffSecret(asWritten, stored, keyring, out);
                    continue;
                }
                // apply keeps a stored Config's creation time: compare it as apply would write it (a GitSource's
                // sync writes the file as it is, so not for --gitsource)
                dev.berth.crds.Resource resource = asWritten.kind().kind().equals("Config") && stored.isPresent()
                        && gitSource == null
                        ? SealedApply.withCreationTimes(List.of(asWritten), session.store(), java.time.Instant.now())
                                .get(0)
                        : asWritten;
                if (stored.isEmpty()) {
                    out.println(resource.key() + " created");
                    out.print(dev.berth.operator.gitops.UnifiedDiff.of("/dev/null", "", resource.file(), resource.yaml()));
                    changes = true;
                } else if (stored.get().resource().map(r -> r.canonicalJson().equals(resource.canonicalJson())).orElse(false)) {
                    out.println(resource.key() + " unchanged");
                } else {
                    out.println(resource.key() + " changed");
                    out.print(dev.berth.operator.gitops.UnifiedDiff.of(stored.get().raw().key(), stored.get().raw().value(),
                            resource.file(), resource.yaml()));
                    changes = true;
                }
            }
            if (gitSource != null) {
                for (KindDef kind : kinds.all()) {
                    for (StoredObject object : session.store().list(kind)) {
                        String owner = dev.berth.operator.gitops.GitAnnotations.read(object.raw().value())
                                .get(dev.berth.operator.gitops.GitAnnotations.SOURCE);
                        if (gitSource.equals(owner) && !declared.contains(object.key().toString())) {
                            out.println(object.key() + " deleted (pruned when gitsource/" + gitSource
                                    + " has prune: true, else an orphan)");
                            changes = true;
                        }
                    }
                }
            }
        }
        out.flush();
        return changes ? 1 : 0;
    }

    /** @return whether applying would change it; prints one line and never the YAML (it may hold plain values) */
    private static boolean diffSecret(dev.berth.crds.Resource resource, Optional<StoredObject> stored,
                                      Optional<dev.berth.operator.secrets.SecretKeyring> keyring, PrintWriter out) {
        Optional<dev.berth.crds.Resource> storedResource = stored.flatMap(StoredObject::resource);
        if (stored.isEmpty()) {
            out.println(resource.key() + " created");
            return true;
        }
        if (storedResource.isEmpty()) {
            out.println(resource.key() + " changed: the stored Secret is invalid");
            return true;
        }
        Optional<String> changed = SecretDiff.of(storedResource.get(), resource, keyring).changed();
        out.println(resource.key() + changed.map(c -> " changed: " + c).orElse(" unchanged"));
        return changed.isPresent();
    }
}
