package dev.berth.operator.cli;

import com.github.dockerjava.api.DockerClient;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerGateway;
import dev.berth.reconcilers.stack.BerthLabels;
import dev.berth.reconcilers.stack.HostInfo;
import dev.berth.reconcilers.stack.ObservedStack;
import dev.berth.reconcilers.stack.PlacementRule;
import dev.berth.reconcilers.stack.StackAction;
import dev.berth.reconcilers.stack.StackPlanner;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Print the actions the operator would run for a stack on a host, from etcd and that host's"
                + " Docker, without changing anything. Exit 0 when there is nothing to do, 1 when there is.")
public final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "KIND")
    String kindName;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Option(names = "--host", paramLabel = "NAME", defaultValue = "${env:BERTH_HOST}",
            description = "The host to plan for (default: this machine's hostname).")
    String host;

    @Option(names = {"-l", "--host-label"}, paramLabel = "KEY=VALUE", description = "That host's labels.")
    Map<String, String> hostLabels = new LinkedHashMap<>();

    @Option(names = "--docker-host", paramLabel = "URL", defaultValue = "${env:DOCKER_HOST:-unix:///var/run/docker.sock}",
            description = "That host's Docker endpoint (default ${DEFAULT-VALUE}).")
    String dockerHost;

    @Option(names = "--instance", paramLabel = "NAME", defaultValue = "${env:BERTH_INSTANCE:-berth}",
            description = "The operator's instance (managed-by label value; default ${DEFAULT-VALUE}).")
    String instance;

    @Override
    public Integer call() throws Exception {
        Kinds kinds = Kinds.standard();
        KindDef kind = KindArgument.resolve(kinds, kindName, spec.commandLine());
        if (!kind.kind().equals("Stack")) {
            throw new CliException("diff supports stacks only");
        }
        Optional<StoredObject> object;
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            object = session.store().get(kind, name);
        }
        if (object.isPresent() && !object.get().valid()) {
            throw new CliException("stack/" + name + " is invalid in etcd: " + object.get().errors().get(0));
        }
        String hostName = host == null || host.isBlank() ? InetAddress.getLocalHost().getHostName() : host;
        HostInfo info = new HostInfo(hostName, Map.copyOf(hostLabels));
        Optional<StackSpec> desired = object.flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class))
                .filter(s -> PlacementRule.placedHere(s.placement(), info));
        ObservedStack observed;
        try (DockerClient client = DockerClients.connect(dockerHost)) {
            DockerGateway docker = new DockerGateway(client, instance);
            String owner = "stack/" + name;
            observed = new ObservedStack(
                    docker.listManagedContainers().stream().filter(c -> owner.equals(c.labels().get(BerthLabels.OWNER))).toList(),
                    docker.listManagedNetworks().stream().filter(n -> owner.equals(n.labels().get(BerthLabels.OWNER))).toList());
        } catch (RuntimeException e) {
            throw new CliException("cannot read Docker at " + dockerHost + ": " + e.getMessage());
        }
        List<StackAction> plan = StackPlanner.plan(instance, name, desired, observed);
        PrintWriter out = spec.commandLine().getOut();
        if (plan.isEmpty()) {
            out.println("stack/" + name + " on " + hostName + ": nothing to do");
        }
        plan.forEach(a -> out.println(a.describe()));
        out.flush();
        return plan.isEmpty() ? 0 : 1;
    }
}
