package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.stack.StackSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.crds.status.ServiceCount;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = "List objects of a kind, one row per object and host that reported status.")
public final class GetCommand implements Callable<Integer> {
    enum Output { table, wide, yaml, json }

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "KIND", description = "stacks (stack, st)")
    String kindName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Only this object.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, wide, yaml or json (default ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception {
        Kinds kinds = Kinds.standard();
        KindDef kind = KindArgument.resolve(kinds, kindName, spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        StatusCodec codec = new StatusCodec();
        List<ObjectView> views = new ArrayList<>();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            List<StoredObject> objects = name == null ? session.store().list(kind)
                    : session.store().get(kind, name).map(List::of).orElse(List.of());
            if (name != null && objects.isEmpty()) {
                spec.commandLine().getErr().println(kind.singular() + "/" + name + " not found");
                spec.commandLine().getErr().flush();
                return 1;
            }
            for (StoredObject object : objects) {
                views.add(ObjectView.load(session.store(), object, codec));
            }
        }
        switch (output) {
            case yaml -> printYaml(out, views);
            case json -> printJson(out, views, codec);
            default -> printTable(out, views, output == Output.wide);
        }
        out.flush();
        return 0;
    }

    private static void printYaml(PrintWriter out, List<ObjectView> views) {
        boolean first = true;
        for (ObjectView view : views) {
            if (!first) {
                out.println("---");
            }
            first = false;
            String yaml = view.object().raw().value();
            out.print(yaml.endsWith("\n") ? yaml : yaml + "\n");
        }
    }

    private static void printJson(PrintWriter out, List<ObjectView> views, StatusCodec codec) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode array = mapper.createArrayNode();
        for (ObjectView view : views) {
            ObjectNode node = view.object().resource()
                    .map(r -> (ObjectNode) readTree(mapper, r.canonicalJson()))
                    .orElseGet(() -> mapper.createObjectNode().put("invalid", view.object().errors().toString()));
            ObjectNode status = node.putObject("status");
            for (ObjectStatus s : view.statuses()) {
                status.set(s.host(), readTree(mapper, codec.write(s)));
            }
            array.add(node);
        }
        out.println(mapper.writeValueAsString(array));
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(ObjectMapper mapper, String json) {
        try {
            return mapper.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void printTable(PrintWriter out, List<ObjectView> views, boolean wide) {
        Table table = wide ? new Table("NAME", "HOST", "READY", "STATUS", "AGE", "SERVICES", "PLACEMENT", "REVISION", "MESSAGE")
                : new Table("NAME", "HOST", "READY", "STATUS", "AGE");
        Instant now = Instant.now();
        for (ObjectView view : views) {
            StoredObject object = view.object();
            String services = object.resource().map(r -> r.spec(StackSpec.class).services().size() + "").orElse("-");
            String placement = object.resource().map(r -> Placements.describe(r.spec(StackSpec.class).placement())).orElse("-");
            if (view.statuses().isEmpty()) {
                String status = object.valid() ? "Pending" : "Invalid";
                String message = object.valid() ? "no host has reported yet" : object.errors().get(0).toString();
                row(table, wide, object.name(), "-", "-", status, "-", services, placement,
                        Long.toString(object.raw().modRevision()), message);
            }
            for (ObjectStatus s : view.statuses()) {
                row(table, wide, object.name(), s.host(), ready(s), summary(s, object.raw().modRevision()),
                        Ages.since(s.since(), now), services, placement, Long.toString(s.observedRevision()),
                        message(s));
            }
        }
        table.print(out);
    }

    private static void row(Table table, boolean wide, String... cells) {
        table.row(wide ? cells : java.util.Arrays.copyOf(cells, 5));
    }

    static String ready(ObjectStatus status) {
        int running = 0;
        int desired = 0;
        for (ServiceCount count : status.services().values()) {
            running += count.running();
            desired += count.desired();
        }
        return running + "/" + desired;
    }

    static String summary(ObjectStatus status, long currentRevision) {
        if (status.condition(Condition.DEGRADED).map(Condition::isTrue).orElse(false)) {
            return "Degraded";
        }
        if (status.observedRevision() < currentRevision) {
            return "Progressing";
        }
        if (status.ready()) {
            return "Ready";
        }
        return status.condition(Condition.PROGRESSING).map(Condition::isTrue).orElse(false) ? "Progressing" : "NotReady";
    }

    private static String message(ObjectStatus status) {
        for (Condition c : status.conditions()) {
            if (c.type().equals(Condition.DEGRADED) && c.isTrue()) {
                return c.reason() + ": " + c.message();
            }
        }
        return status.condition(Condition.READY).map(Condition::message).orElse("");
    }
}
