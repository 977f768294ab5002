package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.yaml.ExpansionBudget;

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
        // Problems are listed file by file in the order the files were given.
        input.files().forEach(f -> diagnostics.inFile(f.name()));
        input.notes().forEach(n -> diagnostics.warnIn(n.file(), n.line(), n.column(), n.path(), n.message()));
        try {
            return convert(input, diagnostics);
        } catch (ComposeException e) {
            List<ComposeProblem> errors = new ArrayList<>(diagnostics.errors());
            errors.add(e.problem());
            return new ComposeImport(null, "", diagnostics.warnings(), errors);
        }
    }

    private ComposeImport convert(ComposeInput input, Diagnostics diagnostics) {
        // The variables: the process's, with .env filling in (a bare KEY in environment: passes them through too).
        // One budget for all that expansion produces in this import: .env, env_file, interpolation, extends.
        ExpansionBudget budget = ExpansionBudget.forFileLimit(ManifestParser.maxBytes());
        Map<String, String> environment = new HashMap<>(dotEnv(input, diagnostics, budget));
        environment.putAll(input.environment());
        Nodes nodes = new Nodes(diagnostics);
        ProjectName names = stackName(input, nameSource(input), nodes, diagnostics, environment);
        // Compose sets COMPOSE_PROJECT_NAME to the project's name before it interpolates the files.
        environment.put("COMPOSE_PROJECT_NAME", names.compose());
        // compose-go makes each file's lists unique, the first file's too; the merges do it for the later ones.
        ComposeNode.Mapping root = ComposeMerge.unique(new ComposeProject(diagnostics, environment::get, budget)
                .load(input));
        root = new Profiles(diagnostics, Profiles.enabled(input.profiles(), environment.get("COMPOSE_PROFILES")))
                .apply(root);
        String stack = names.stack();
        TopLevelResources resources = new TopLevelResources(diagnostics, nodes, names);
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
                resources.defaultNetwork, secrets.declared, configs.declared, input.manifestDirectory(), names.compose(),
                budget);
        // The objects first: a reader meets a Secret before the service that mounts it.
        List<ObjectNode> documents = new ArrayList<>(secrets.documents);
        documents.addAll(configs.documents);
        ObjectNode stackDoc = stackDocument(stack, resources);
        ArrayNode serviceSpecs = JsonNodeFactory.instance.arrayNode();
        List<ServiceConverter.Converted> converted = new ArrayList<>();
        for (ComposeNode.Entry e : serviceMap.entries().values()) {
            ServiceConverter.Converted service = new ServiceConverter(context, options.keepContainerNames())
                    .convert(e, options.routes());
            serviceSpecs.add(service.spec());
            converted.add(service);
        }
        new ServiceAliases(context, options.keepContainerNames()).apply(serviceMap, converted);
        ((ObjectNode) stackDoc.get("spec")).set("services", serviceSpecs);
        RestartDefault.note(root.entries().get("services"), diagnostics);
        RestartDefault.completedDependencies(serviceMap, context.services(), serviceSpecs, diagnostics);
        RestartDefault.startFirstOneShots(serviceMap, context.services(), serviceSpecs, diagnostics);
        if (!resources.stackNetworks.isEmpty()) {
            ArrayNode networks = ((ObjectNode) stackDoc.get("spec")).putArray("networks");
            resources.stackNetworks.forEach(networks::add);
        }
        documents.add(stackDoc);
        Map<String, Nodes.Valued> routeOrigins = Map.of();
        if (options.routes()) {
            TraefikRoutes routes = new TraefikRoutes(context);
            converted.forEach(s -> documents.addAll(routes.routes(s)));
            routeOrigins = routes.origins();
        } else {
            warnTraefikKept(serviceMap, nodes, diagnostics);
        }
        if (!diagnostics.errors().isEmpty()) {
            return new ComposeImport(stack, "", diagnostics.warnings(), diagnostics.errors());
        }
        String header = "# Imported from " + String.join(", ", input.files().stream()
                .map(f -> String.valueOf(Path.of(f.name()).getFileName())).toList()) + " by berth import compose.\n";
        String yaml = new DocumentWriter().write(header, documents);
        // What Berth's validation refuses is still the compose file's error: said at its line, not as a broken import.
        new OutputValidation(diagnostics).check(yaml, documents, serviceMap, context.services(), routeOrigins);
        if (!diagnostics.errors().isEmpty()) {
            return new ComposeImport(stack, "", diagnostics.warnings(), diagnostics.errors());
        }
        return new ComposeImport(stack, yaml, diagnostics.warnings(), List.of());
    }

    private static ObjectNode stackDocument(String stack, TopLevelResources resources) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("apiVersion", "berth.dev/v1");
        doc.put("kind", "Stack");
        doc.putObject("metadata").put("name", stack);
        doc.putObject("spec");
        return doc;
    }

    /**
     * The Compose project name as Compose v2 chooses it: {@code --name} (as {@code -p}), else COMPOSE_PROJECT_NAME
     * (the process's, else {@code .env}'s), else the file's {@code name:}, else the folder's name, normalised as
     * compose-go does; and the stack name, its DNS label (or {@code --name}'s). When they differ, a warning says
     * which Docker names keep Compose's.
     */
    private static ProjectName stackName(ComposeInput input, ComposeNode.Mapping root, Nodes nodes,
                                         Diagnostics diagnostics, Map<String, String> environment) {
        ComposeNode.Entry nameEntry = root.entries().get("name");
        // name: is read before the rest of the file is interpolated, as compose-go does (it may use variables).
        // An override's name: is that file's: its interpolation errors name it.
        Diagnostics nameFile = nameEntry == null || nameEntry.value().file() == null ? diagnostics
                : diagnostics.inFile(nameEntry.value().file());
        String fromFile = nameEntry == null || nameEntry.value().isNull() ? "" : nodes.text(
                new Interpolation(environment::get, nameFile).apply(nameEntry.value(), "name"), "name").orElse("");
        String fromEnvironment = environment.getOrDefault("COMPOSE_PROJECT_NAME", "");
        String wanted;
        String project;
        int line = 1;
        int column = 1;
        String path = "";
        String file = input.file();
        if (input.stackName() != null) {
            wanted = input.stackName();
            project = ProjectName.normalize(wanted);
        } else if (!fromEnvironment.isEmpty()) {
            // Compose refuses, rather than normalises, a COMPOSE_PROJECT_NAME it could not use as it is.
            if (!ProjectName.valid(fromEnvironment)) {
                String source = input.environment().containsKey("COMPOSE_PROJECT_NAME") ? "the environment" : ".env";
                throw new ComposeException(new ComposeProblem(input.file(), 1, 1, "", "COMPOSE_PROJECT_NAME \""
                        + fromEnvironment + "\" (from " + source + ") is not a Compose project name: lowercase letters, "
                        + "digits, - and _, starting with a letter or digit"));
            }
            wanted = fromEnvironment;
            project = fromEnvironment;
        } else if (!fromFile.isEmpty()) {
            wanted = fromFile;
            project = ProjectName.normalize(fromFile);
            line = nameEntry.value().line();
            column = nameEntry.value().column();
            path = "name";
            file = nameEntry.value().file() == null ? file : nameEntry.value().file();
        } else {
            Path folder = input.directory().getFileName();
            wanted = folder == null ? "" : folder.toString();
            project = ProjectName.normalize(wanted);
        }
        String stack = DnsNames.of(input.stackName() != null ? wanted : project);
        if (project.isEmpty() || stack.isEmpty()) {
            throw new ComposeException(new ComposeProblem(file, line, column, path,
                    "\"" + wanted + "\" gives no usable project name; pass --name"));
        }
        boolean differs = !stack.equals(project);
        if (differs || (input.stackName() != null && !stack.equals(wanted))) {
            diagnostics.warn(new ComposeProblem(file, line, column, path, "stack name \"" + wanted + "\" becomes \"" + stack
                    + "\" (Berth names are DNS labels)" + (!differs ? "" : "; the Compose project name is \"" + project
                    + "\": volumes keep Compose's names (" + project + "_<volume>), networks are named " + stack
                    + "_<network> (Compose: " + project + "_<network>)")));
        }
        return new ProjectName(project, stack);
    }

    /**
     * The files' own {@code name:} before interpolation (the last file that sets it wins, as in a merge), marked with
     * its file: the project name must be known before the files are interpolated.
     */
    private static ComposeNode.Mapping nameSource(ComposeInput input) {
        ComposeNode.Mapping source = new ComposeNode.Mapping(1, 1, Map.of());
        for (ComposeInput.File file : input.files()) {
            for (ComposeNode document : new ComposeYamlReader().documents(file.name(), file.text())) {
                if (document instanceof ComposeNode.Mapping m && m.entries().containsKey("name")) {
                    source = (ComposeNode.Mapping) ComposeNode.inFile(m, file.name());
                }
            }
        }
        return source;
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
                        .ifPresent(kv -> diagnostics.warn(kv, kv.path(), "Traefik labels kept as "
                                + "container labels: this Berth has no Route kind to turn them into"));
            }
        }
    }

    /** The project's {@code .env} (or --env-file), read as Compose reads it; the process's variables win and are seen by it. */
    private static Map<String, String> dotEnv(ComposeInput input, Diagnostics diagnostics, ExpansionBudget budget) {
        Path file = input.dotEnvFile();
        if (input.envFile() == null && !Files.exists(file)) {
            return Map.of();
        }
        // Only a regular file of apply's size: a device (/dev/zero) or a huge file would never end.
        String text = ComposeFiles.read(file, envName(input));
        EnvFile env = new EnvFile(envName(input), input.environment()::get, budget);
        Map<String, String> values = env.read(text);
        env.warnings().forEach(diagnostics::warn);
        return values;
    }

    /** How messages name the variables file: {@code .env}, or --env-file's file (relative to the project folder). */
    private static String envName(ComposeInput input) {
        Path file = input.dotEnvFile();
        return input.envFile() == null ? ".env"
                : file.startsWith(input.directory()) ? input.directory().relativize(file).toString() : file.toString();
    }
}
