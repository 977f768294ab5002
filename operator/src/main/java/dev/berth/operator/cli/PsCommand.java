package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ps", mixinStandardHelpOptions = true,
        description = {"List every container Berth runs, on every host, like docker service ps: host, container,"
                + " image, state, health, restarts, age and last exit code.",
                "Read from the status each operator publishes in etcd (no operator is asked). A host that is not alive"
                        + " shows its last report as Unknown; replicas assigned but not reported yet show as Assigned.",
                "A one-shot service (restart \"no\" or on-failure) that ran to its end stays exited: REASON completed"
                        + " (exit 0, counted as ready) or failed: exit code N."})
public final class PsCommand implements Callable<Integer> {
    enum Output { table, wide, json, yaml }

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(arity = "0..2", paramLabel = "STACK",
            description = "Only this stack: NAME, stack/NAME or stack NAME (default: every stack).")
    List<String> target;

    /** The stack named, null for every stack. */
    private String stack;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, wide (adds IMAGE ID and REASON), json or yaml (default ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--no-headers", description = "Tables without the header line.")
    boolean noHeaders;

    @Override
    public Integer call() throws Exception {
        stack = stackNamed();
        Kinds kinds = Kinds.standard();
        KindDef kind = kinds.byKind("Stack").orElseThrow();
        StatusCodec codec = new StatusCodec();
        List<PsRow> rows = new ArrayList<>();
        Instant now = Instant.now();
        try (StoreSession session = StoreSession.reading(etcd, kinds)) {
            List<StoredObject> stacks = stack == null ? session.store().list(kind)
                    : session.store().get(kind, stack).map(List::of)
                            .orElseThrow(() -> new CliException("stack/" + stack + " not found"));
            Cluster cluster = ClusterReader.read(session);
            for (StoredObject object : stacks) {
                rows.addAll(PsRows.of(ObjectView.load(session.store(), object, codec, cluster), now));
            }
        }
        rows.sort(PsRows.ORDER);
        PrintWriter out = spec.commandLine().getOut();
        switch (output) {
            case json -> out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(list(rows)));
            case yaml -> out.print(new YAMLMapper().writeValueAsString(list(rows)));
            default -> table(rows, now, output == Output.wide, out);
        }
        out.flush();
        return 0;
    }

    /** A bare NAME as before, or the KIND/NAME and KIND NAME forms the other commands take (kind aliases too). */
    private String stackNamed() {
        if (target == null || target.isEmpty()) {
            return null;
        }
        if (target.size() == 1 && !target.get(0).contains("/")) {
            return target.get(0);
        }
        return TargetArgument.parse(target, "Stack", false, spec.commandLine()).name();
    }

    /** kubectl's shape for a list of things that are not objects of their own. */
    private static Map<String, Object> list(List<PsRow> rows) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", rows);
        return list;
    }

    private void table(List<PsRow> rows, Instant now, boolean wide, PrintWriter out) {
        List<String> header = new ArrayList<>(List.of("HOST", "NAME", "IMAGE", "STATE", "HEALTH", "RESTARTS", "AGE", "EXIT"));
        if (wide) {
            header.addAll(List.of("IMAGE ID", "REASON"));
        }
        Table table = new Table(header.toArray(String[]::new));
        for (PsRow r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.host(), r.name(), dash(r.image()), r.state(), dash(r.health()),
                    dash(r.restarts()), Ages.since(r.createdAt(), now), dash(r.exitCode())));
            if (wide) {
                cells.addAll(List.of(shortId(r.imageId()), r.reason().isEmpty() ? "-" : r.reason()));
            }
            table.row(cells.toArray(String[]::new));
        }
        if (rows.isEmpty() && !noHeaders) {
            spec.commandLine().getErr().println(stack == null ? "No containers." : "No containers of stack/" + stack + ".");
            spec.commandLine().getErr().flush();
            return;
        }
        StringWriter text = new StringWriter();
        table.print(new PrintWriter(text));
        String printed = text.toString();
        out.print(noHeaders ? printed.substring(printed.indexOf('\n') + 1) : printed);
    }

    private static String dash(Object value) {
        return value == null || value.toString().isEmpty() ? "-" : value.toString();
    }

    /** "sha256:0123456789ab", like docker's short ids; "-" when unknown. */
    private static String shortId(String id) {
        if (id == null || id.isEmpty()) {
            return "-";
        }
        int colon = id.indexOf(':');
        return id.length() > colon + 13 ? id.substring(0, colon + 13) : id;
    }
}
