package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.Schemas;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth explain stack.spec.services.image}: a field's type, description and children, read from the same
 * schemas (crds/schemas/*.yaml) that validation uses, so the explanation cannot drift from what apply accepts.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Describe a kind or one of its fields from Berth's schemas: type, description, required fields"
                + " and children, like kubectl explain.", "Arrays and maps are stepped through: stack.spec.services.image"
                + " is the image of each service."},
        footer = {"", "Examples:", "  berth explain stack", "  berth explain stack.spec.services",
                "  berth explain stack.spec.services.healthcheck --recursive"})
public final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND[.FIELD...]", description = "A kind (${COMPLETION-CANDIDATES}) and a"
            + " path of fields.", completionCandidates = DeclaredKinds.class)
    String path;

    @Option(names = "--recursive", description = "List every field below, with types, as a tree.")
    boolean recursive;

    /** The declared kinds' singular names, for --help and completion. */
    static final class DeclaredKinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Kinds.standard().all().stream().map(KindDef::singular).iterator();
        }
    }

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        String[] parts = path.split("\\.", -1);
        KindDef kind = KindArgument.resolve(kinds, parts[0], spec.commandLine());
        JsonNode node = new Schemas(kinds).of(kind);
        String at = kind.singular();
        for (int i = 1; i < parts.length; i++) {
            JsonNode properties = SchemaFields.properties(node);
            JsonNode child = properties == null ? null : properties.get(parts[i]);
            if (child == null) {
                List<String> valid = new ArrayList<>();
                if (properties != null) {
                    properties.fieldNames().forEachRemaining(valid::add);
                }
                throw new CommandLine.ParameterException(spec.commandLine(), "field \"" + parts[i] + "\" does not exist in "
                        + at + CloseNames.hint(parts[i], valid) + "; valid fields: "
                        + (valid.isEmpty() ? "none (" + at + " is " + SchemaFields.type(node) + ")" : String.join(", ", valid)));
            }
            node = child;
            at = at + "." + parts[i];
        }
        print(spec.commandLine().getOut(), kind, parts.length > 1 ? parts[parts.length - 1] : null, node);
        return 0;
    }

    private void print(PrintWriter out, KindDef kind, String field, JsonNode node) {
        out.println("KIND:     " + kind.kind());
        out.println("VERSION:  berth.dev/v1");
        out.println();
        if (field != null) {
            out.println("FIELD:    " + field + " <" + SchemaFields.type(node) + ">");
            out.println();
        }
        out.println("DESCRIPTION:");
        SchemaFields.wrap(node.path("description").asText("(no description)"), "    ", 100).forEach(out::println);
        if (node.has("enum")) {
            List<String> values = new ArrayList<>();
            node.get("enum").forEach(v -> values.add(v.asText()));
            out.println();
            out.println("ENUM:     " + String.join(", ", values));
        }
        if (node.has("default")) {
            out.println("DEFAULT:  " + node.get("default").asText());
        }
        JsonNode properties = SchemaFields.properties(node);
        if (properties != null && properties.size() > 0) {
            out.println();
            out.println("FIELDS:");
            if (recursive) {
                SchemaFields.tree(node, "  ", out);
            } else {
                List<String> required = SchemaFields.required(node);
                properties.properties().forEach(e -> {
                    out.println("  " + e.getKey() + "\t<" + SchemaFields.type(e.getValue()) + ">"
                            + (required.contains(e.getKey()) ? " -required-" : ""));
                    SchemaFields.wrap(e.getValue().path("description").asText(""), "    ", 100).forEach(out::println);
                    out.println();
                });
            }
        }
        out.flush();
    }
}
