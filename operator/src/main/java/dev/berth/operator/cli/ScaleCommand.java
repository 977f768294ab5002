package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Set the replicas of one service of a stack (like kubectl scale), without editing YAML.",
                "Changes only that number in the stack's stored manifest (the rest stays as written), records a"
                        + " revision (berth rollout history) and lets the operators roll it out. In global mode the"
                        + " number is per host. A stack a GitSource syncs is refused without --force: its next sync"
                        + " writes it back as committed.",
                "Examples: berth scale stack/shop/web --replicas 3; berth scale stack shop/web --replicas 0;"
                        + " berth scale stack/shop --replicas 2 (a stack with one service)."})
public final class ScaleCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(arity = "1..2", paramLabel = "STACK",
            description = "stack/NAME/SERVICE or stack NAME/SERVICE (the service may be left out when there is one)")
    List<String> target;

    @Option(names = "--replicas", required = true, paramLabel = "N", description = "The new number of replicas (0 or more).")
    int replicas;

    @Option(names = "--force", description = "Scale a stack a GitSource syncs anyway (until its next sync).")
    boolean force;

    @Override
    public Integer call() {
        if (replicas < 0) {
            // a number no stack can have is bad usage (exit 2), not a failure of the change
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--replicas must be 0 or more (got " + replicas + ")");
        }
        TargetArgument named = TargetArgument.parse(target, "Stack", true, spec.commandLine());
        Kinds kinds = Kinds.standard();
        KindDef kind = kinds.byKind("Stack").orElseThrow();
        String[] service = new String[1];
        boolean changed;
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            changed = StackEdit.run(session, kind, new StackEdit.Request(named.name(), force, "scale it", "the scale"),
                    resource -> {
                        service[0] = serviceOf(resource, named.part());
                        return new StackEdit.Edited(scaled(resource, service[0], replicas),
                                "berth scale " + service[0] + "=" + replicas);
                    });
        }
        String object = "stack/" + named.name() + "/" + service[0];
        spec.commandLine().getOut().println(object + (changed ? " scaled to " + replicas : " already has "
                + replicas + " replicas; nothing changed"));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The named service, or the only one; a one-line error naming the services otherwise. */
    static String serviceOf(Resource resource, String named) {
        List<String> services = resource.spec(StackSpec.class).services().stream().map(ServiceSpec::name).toList();
        if (named == null) {
            if (services.size() == 1) {
                return services.get(0);
            }
            throw new CliException("stack/" + resource.metadata().name() + " has " + services.size()
                    + " services; name one: stack/" + resource.metadata().name() + "/SERVICE (" + String.join(", ", services) + ")");
        }
        if (!services.contains(named)) {
            throw new CliException("stack/" + resource.metadata().name() + " has no service \"" + named + "\" (services: "
                    + String.join(", ", services) + ")");
        }
        return named;
    }

    /**
     * The stored text with the service's replicas set, proven to parse into the same stack with only that number
     * changed; a one-line error when the edit cannot be made or the result is not valid.
     */
    static String scaled(Resource resource, String service, int replicas) {
        String name = resource.metadata().name();
        String yaml = StackReplicasEdit.withReplicas(resource.yaml(), service, replicas).orElseThrow(() ->
                new CliException("stack/" + name + ": cannot set replicas of " + service + " in the stored manifest;"
                        + " set it in the YAML and apply it"));
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("stack/" + name,
                yaml.getBytes(StandardCharsets.UTF_8));
        if (!parsed.ok()) {
            throw new CliException("stack/" + name + "/" + service + " cannot have " + replicas + " replicas: "
                    + parsed.errors().get(0).message());
        }
        if (parsed.resources().size() != 1 || !sameExceptReplicas(resource, parsed.resources().get(0), service, replicas)) {
            throw new CliException("stack/" + name + ": setting replicas of " + service + " in the stored manifest would"
                    + " change more than that; set it in the YAML and apply it");
        }
        return yaml;
    }

    private static boolean sameExceptReplicas(Resource before, Resource after, String service, int replicas) {
        ObjectNode expected = JSON.valueToTree(before.spec());
        for (com.fasterxml.jackson.databind.JsonNode s : (ArrayNode) expected.get("services")) {
            if (service.equals(s.get("name").asText())) {
                ((ObjectNode) s).put("replicas", replicas);
            }
        }
        return expected.equals(JSON.valueToTree(after.spec())) && before.metadata().equals(after.metadata());
    }
}
