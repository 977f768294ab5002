package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a compose file into a Stack (and Routes, from Traefik labels): read with locations, interpolate
 * variables, map names, convert every service. Every key that cannot be carried over is a warning at its line;
 * nothing is dropped silently. Pure apart from reading {@code .env} and {@code env_file}s next to the file.
 *
 * <pre>{@code
 * ComposeImport result = new ComposeImporter(ComposeOptions.detect(Kinds.standard()))
 *         .convert(new ComposeInput("docker-compose.yml", dir, text, System.getenv(), null));
 * }</pre>
 */
public final class ComposeImporter {
    private static final Set<String> DROPPED_TOP_LEVEL = Set.of("include", "models");

    private final ComposeOptions options;

    public ComposeImporter(ComposeOptions options) {
        this.options = options;
    }

    public ComposeImport convert(ComposeInput input) {
        Diagnostics diagnostics = new Diagnostics(input.file());
        try {
            return convert(input, diagnostics);
        } catch (ComposeException e) {
            List<ComposeProblem> errors = new ArrayList<>(diagnostics.errors());
            errors.add(e.problem());
            return new ComposeImport(null, "", diagnostics.warnings(), errors);
        }
    }

    private ComposeImport convert(ComposeInput input, Diagnostics diagnostics) {
        ComposeNode parsed = new ComposeYamlReader().read(input.file(), input.text());
        if (!(parsed instanceof ComposeNode.Mapping raw)) {
            throw new ComposeException(new ComposeProblem(input.file(), parsed.line(), parsed.column(), "",
                    "a compose file is a mapping with services:, got " + parsed.shape()));
        }
        Map<String, String> dotEnv = dotEnv(input);
        var interpolation = new Interpolation(Interpolation.lookup(input.environment(), dotEnv), diagnostics);
        ComposeNode.Mapping root = (ComposeNode.Mapping) interpolation.apply(raw, "");
        Nodes nodes = new Nodes(diagnostics);
        // A bare KEY in environment passes the variable through; .env fills in for the process, as in Compose.
        Map<String, String> environment = new HashMap<>(dotEnv);
        environment.putAll(input.environment());

        String stack = stackName(input, root, nodes, diagnostics);
        TopLevelResources resources = new TopLevelResources(diagnostics, nodes, stack);
        FileObjects secrets = new FileObjects(diagnostics, nodes, input.directory(), environment, stack, true);
        FileObjects configs = new FileObjects(diagnostics, nodes, input.directory(), environment, stack, false);
        ComposeNode services = null;
        for (ComposeNode.Entry e : root.entries().values()) {
            if (e.value().isNull() && !e.key().equals("services")) {
                continue;
            }
            switch (e.key()) {
                case "services" -> services = e.value();
                case "name" -> {
                    // read by stackName
                }
                case "version" -> diagnostics.warn(e, "version", "obsolete in the Compose specification; ignored");
                case "networks" -> resources.networks(e.value());
                case "volumes" -> resources.volumes(e.value());
                case "secrets" -> secrets.read(e.value());
                case "configs" -> configs.read(e.value());
                default -> {
                    if (e.key().startsWith("x-")) {
                        continue; // extension blocks only carry anchors; what they hold is reported where it is used
                    }
                    diagnostics.dropped(e, e.key(), DROPPED_TOP_LEVEL.contains(e.key()) ? "not supported"
                            : "unknown key (not in the Compose specification)");
                }
            }
        }
        if (!(services instanceof ComposeNode.Mapping serviceMap) || serviceMap.entries().isEmpty()) {
            diagnostics.error(services == null ? root : services, "services", "a compose file needs at least one service");
            return new ComposeImport(stack, "", diagnostics.warnings(), diagnostics.errors());
        }
        ImportContext context = new ImportContext(diagnostics, nodes, input.directory(), environment, stack,
                serviceNames(serviceMap, diagnostics), resources.networkNames, resources.volumeNames,
                resources.defaultNetwork, secrets.declared, configs.declared, input.manifestDirectory());
        // The objects first: a reader meets a Secret before the service that mounts it.
        List<ObjectNode> documents = new ArrayList<>(secrets.documents);
        documents.addAll(configs.documents);
        ObjectNode stackDoc = stackDocument(stack, resources);
        ArrayNode serviceSpecs = JsonNodeFactory.instance.arrayNode();
        List<ServiceConverter.Converted> converted = new ArrayList<>();
        for (ComposeNode.Entry e : serviceMap.entries().values()) {
            ServiceConverter.Converted service = new ServiceConverter(context).convert(e, options.routes());
            serviceSpecs.add(service.spec());
            converted.add(service);
        }
        ((ObjectNode) stackDoc.get("spec")).set("services", serviceSpecs);
        RestartDefault.note(root.entries().get("services"), diagnostics);
        RestartDefault.completedDependencies(serviceMap, context.services(), serviceSpecs, diagnostics);
        if (!resources.stackNetworks.isEmpty()) {
            ArrayNode networks = ((ObjectNode) stackDoc.get("spec")).putArray("networks");
            resources.stackNetworks.forEach(networks::add);
        }
        documents.add(stackDoc);
        if (options.routes()) {
            TraefikRoutes routes = new TraefikRoutes(context);
            converted.forEach(s -> documents.addAll(routes.routes(s)));
        } else {
            warnTraefikKept(serviceMap, nodes, diagnostics);
        }
        if (!diagnostics.errors().isEmpty()) {
            return new ComposeImport(stack, "", diagnostics.warnings(), diagnostics.errors());
        }
        String header = "# Imported from " + Path.of(input.file()).getFileName() + " by berth import compose.\n";
        return new ComposeImport(stack, new DocumentWriter().write(header, documents), diagnostics.warnings(), List.of());
    }

    private static ObjectNode stackDocument(String stack, TopLevelResources resources) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("apiVersion", "berth.dev/v1");
        doc.put("kind", "Stack");
        doc.putObject("metadata").put("name", stack);
        doc.putObject("spec");
        return doc;
    }

    /** {@code --name}, else the file's {@code name:}, else the folder's name, as a DNS label. */
    private static String stackName(ComposeInput input, ComposeNode.Mapping root, Nodes nodes, Diagnostics diagnostics) {
        ComposeNode.Entry nameEntry = root.entries().get("name");
        String wanted;
        int line = 1;
        int column = 1;
        String path = "";
        if (input.stackName() != null) {
            wanted = input.stackName();
        } else if (nameEntry != null && !nameEntry.value().isNull()) {
            wanted = nodes.text(nameEntry.value(), "name").orElse("");
            line = nameEntry.value().line();
            column = nameEntry.value().column();
            path = "name";
        } else {
            Path folder = input.directory().getFileName();
            wanted = folder == null ? "" : folder.toString();
        }
        String name = DnsNames.of(wanted);
        if (name.isEmpty()) {
            throw new ComposeException(new ComposeProblem(input.file(), line, column, path,
                    "\"" + wanted + "\" gives no usable stack name; pass --name"));
        }
        if (!name.equals(wanted)) {
            diagnostics.warn(line, column, path, "stack name \"" + wanted + "\" becomes \"" + name
                    + "\" (Berth names are DNS labels)");
        }
        return name;
    }

    private static Map<String, String> serviceNames(ComposeNode.Mapping services, Diagnostics diagnostics) {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, String> taken = new HashMap<>();
        for (ComposeNode.Entry e : services.entries().values()) {
            String path = Paths.child("services", e.key());
            String name = DnsNames.of(e.key());
            if (name.isEmpty()) {
                diagnostics.error(e, path, "\"" + e.key() + "\" cannot be made a DNS label");
                continue;
            }
            String other = taken.putIfAbsent(name, e.key());
            if (other != null) {
                diagnostics.error(e, path, "becomes \"" + name + "\", the same name as service \"" + other + "\"");
                continue;
            }
            if (!name.equals(e.key())) {
                diagnostics.warn(e, path, "service renamed to \"" + name + "\" (Berth names are DNS labels); other "
                        + "services reach it as \"" + name + "\"");
            }
            names.put(e.key(), name);
        }
        return names;
    }

    private static void warnTraefikKept(ComposeNode.Mapping services, Nodes nodes, Diagnostics diagnostics) {
        for (ComposeNode.Entry e : services.entries().values()) {
            if (e.value() instanceof ComposeNode.Mapping service && service.get("labels") != null) {
                String path = Paths.child(Paths.child("services", e.key()), "labels");
                nodes.keyValues(service.get("labels"), path).values().stream()
                        .filter(kv -> kv.key().startsWith("traefik."))
                        .findFirst()
                        .ifPresent(kv -> diagnostics.warn(kv.line(), kv.column(), kv.path(), "Traefik labels kept as "
                                + "container labels: this Berth has no Route kind to turn them into"));
            }
        }
    }

    private static Map<String, String> dotEnv(ComposeInput input) {
        Path file = input.directory().resolve(".env");
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            return EnvFile.parse(".env", Files.readString(file, StandardCharsets.UTF_8), input.environment());
        } catch (IOException e) {
            throw new ComposeException(new ComposeProblem(".env", 1, 1, "", "cannot read: " + e.getMessage()));
        }
    }
}
