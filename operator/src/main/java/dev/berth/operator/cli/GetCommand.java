package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.status.ObjectStatus;
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
        description = {"List objects of a kind. Stacks: one row per stack, READY = running/desired containers in the"
                + " cluster; rows of hosts that are not alive count as Unknown.",
                "`berth get stacks NAME -o wide` also lists every replica with its host, state and reason."})
public final class GetCommand implements Callable<Integer> {
    enum Output { table, wide, yaml, json }

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "KIND", description = "stacks (st), networks (net), routes, gitsources, secrets, configs (cfg), or hosts (every host the cluster knows:"
                    + " Ready, Cordoned, Draining, Drained, Unknown (no record, still reached through the overlay) or Down)")
    String kindName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Only this object.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, wide, yaml or json (default ${DEFAULT-VALUE}).")
    Output output;

    @Override
    public Integer call() throws Exception {
        Kinds kinds = Kinds.standard();
        PrintWriter out = spec.commandLine().getOut();
        if (kindName.equalsIgnoreCase("hosts") || kindName.equalsIgnoreCase("host")) {
            // Hosts are written by the operators themselves, not declared: their own listing.
            return HostsCommand.print(etcd, out, output == Output.wide, name);
        }
        KindDef kind = KindArgument.resolve(kinds, kindName, spec.commandLine());
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
            Cluster cluster = ClusterReader.read(session);
            for (StoredObject object : objects) {
                views.add(ObjectView.load(session.store(), object, codec, cluster));
            }
        }
        switch (output) {
            case yaml -> printYaml(out, PlainSecrets.withheld(views, spec.commandLine().getErr()));
            case json -> printJson(out, PlainSecrets.withheld(views, spec.commandLine().getErr()), codec);
            default -> printTable(out, kind, views, output == Output.wide, name != null);
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

    /** With -o wide and one NAME, the kind's details follow the row (a stack's replicas, like docker service ps). */
    private static void printTable(PrintWriter out, KindDef kind, List<ObjectView> views, boolean wide, boolean one) {
        KindTable kindTable = KindTables.standard().forKind(kind.kind())
                .orElseThrow(() -> new CliException("no table for kind " + kind.kind()));
        Table table = new Table(kindTable.header(wide).toArray(String[]::new));
        Instant now = Instant.now();
        for (ObjectView view : views) {
            kindTable.rows(view, now, wide).forEach(row -> table.row(row.toArray(String[]::new)));
        }
        table.print(out);
        if (wide && one) {
            views.forEach(view -> kindTable.details(view, now, out));
        }
    }
}
