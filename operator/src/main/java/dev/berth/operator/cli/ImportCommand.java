package dev.berth.operator.cli;

import dev.berth.operator.manifests.Manifests;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.compose.ComposeException;
import dev.berth.crds.compose.ComposeFiles;
import dev.berth.crds.compose.ComposeImport;
import dev.berth.crds.compose.ComposeImporter;
import dev.berth.crds.compose.ComposeInput;
import dev.berth.crds.compose.ComposeOptions;
import dev.berth.crds.compose.ComposeProblem;
import dev.berth.operator.secrets.SecretKeyring;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretKeySource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Turn files of other tools into Berth objects.",
        subcommands = {ImportCommand.Compose.class})
public final class ImportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing what to import (see berth import --help)");
    }

    @Command(name = "compose", mixinStandardHelpOptions = true,
            description = "Turn a docker-compose project into a Stack (and Routes, from Traefik labels).%n"
                    + "Reads the files as Compose v2 does: FILE (or a folder's compose.yaml) with the override file next "
                    + "to it (compose.override.yaml, docker-compose.override.yml, ...), or the -f files merged in order; "
                    + "extends, profiles, .env and $${VARIABLES} as in Compose.%n"
                    + "Prints the YAML, writes it with -o, or applies it with --apply like berth apply (all or nothing). "
                    + "Every key that cannot be carried over is a warning on stderr with its file and line; errors exit 1.")
    static final class Compose implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EtcdOptions etcd;

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
                description = "The compose file or its folder (default: the current folder); the override file next to "
                        + "a default name (compose.yaml, docker-compose.yml, ...) is merged over it, as Compose does; in a "
                        + "folder COMPOSE_FILE (environment or .env) names the files. With -f, one more file before the -f files.")
        Path file;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE",
                description = "A compose file of the project (repeatable): merged in order with Compose's rules, no "
                        + "override file looked for. Relative paths in every file are the first file's folder's.")
        List<Path> files = new ArrayList<>();

        @Option(names = "--profile", paramLabel = "NAME",
                description = "Enable a profile (repeatable): services with profiles run only when one is enabled "
                        + "(default: COMPOSE_PROFILES; * enables all).")
        List<String> profiles = new ArrayList<>();

        @Option(names = "--env-file", paramLabel = "FILE",
                description = "Read the variables from FILE instead of the project folder's .env, as Compose's --env-file.")
        Path envFile;

        @Option(names = "--keep-container-names",
                description = "A single-replica service keeps its container_name instead of <stack>-<service>-<n>.")
        boolean keepContainerNames;

        @Option(names = "--name", paramLabel = "STACK",
                description = "The stack's name, and the Compose project name as docker compose -p sets it (default: "
                        + "COMPOSE_PROJECT_NAME from the environment or .env, else the file's name: key, else its folder's name).")
        String name;

        @Option(names = "--apply", description = "Write the objects to etcd, as berth apply does.")
        boolean apply;

        @Mixin
        SecretKeyOption secretKey;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the YAML to FILE instead of stdout.")
        Path output;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter out = spec.commandLine().getOut();
            ComposeInput input = input();
            ComposeImport result = new ComposeImporter(ComposeOptions.detect(Kinds.standard())
                    .keepingContainerNames(keepContainerNames)).convert(input);
            result.warnings().forEach(err::println);
            if (!result.ok()) {
                result.errors().forEach(err::println);
                err.println(count(result.errors().size(), "error") + "; nothing was imported");
                err.flush();
                return 1;
            }
            Kinds kinds = Kinds.standard();
            String shownAs = output != null ? output.toString() : "<" + input.file() + " as Berth objects>";
            ParseResult parsed = new ManifestParser(kinds).parse(shownAs, result.yaml());
            if (!parsed.ok()) {
                // The converter checks its output and reports at the compose file's lines; this is what slipped past
                // it. Say it of the compose file, at the service where possible, rather than apply half a stack.
                parsed.errors().forEach(e -> err.println(ImportedErrors.located(input.file(), e, result.yaml())));
                err.println("the imported objects are not valid; nothing was imported (the import should have said "
                        + "this at the compose file's line: please report it too)");
                err.flush();
                return 1;
            }
            boolean secrets = SecretSealer.anySecret(parsed.resources());
            if (output != null || !apply) {
                Optional<String> yaml = shown(result.yaml(), parsed.resources(), err);
                if (yaml.isEmpty()) {
                    return 1;
                }
                if (output != null) {
                    write(output, yaml.get(), secrets);
                } else {
                    out.print(yaml.get());
                }
            }
            if (apply) {
                return SealedApply.run(parsed.resources(), secretKey, etcd, kinds, false, "berth import compose", out, err);
            }
            if (!result.warnings().isEmpty()) {
                err.println(count(result.warnings().size(), "warning"));
            }
            out.flush();
            err.flush();
            return 0;
        }

        /**
         * The YAML to print or write: with a key at hand, Secrets sealed as berth apply seals them (compose secrets
         * become stringData, plain text that should not sit in a file); without one, as converted, with a note.
         */
        private Optional<String> shown(String yaml, List<Resource> resources, PrintWriter err) {
            if (!resources.stream().anyMatch(r -> r.kind().kind().equals(SecretSealer.SECRET)
                    && r.spec(SecretSpec.class).hasPlainValues())) {
                return Optional.of(yaml);
            }
            Optional<SecretKeyring> keyring = secretKey.ifGiven();
            if (keyring.isEmpty()) {
                err.println("note: the Secrets hold plain values (stringData); give --secret-key-file FILE (or set "
                        + SecretKeySource.ENVIRONMENT + ") to write them encrypted");
                return Optional.of(yaml);
            }
            SecretSealer.Sealed sealed = SecretSealer.seal(resources, keyring);
            if (!new Manifests.Loaded(sealed.resources(), sealed.errors()).report(err)) {
                return Optional.empty();
            }
            StringBuilder all = new StringBuilder();
            for (Resource resource : sealed.resources()) {
                if (!all.isEmpty()) {
                    all.append("---\n");
                }
                all.append(resource.yaml().endsWith("\n") ? resource.yaml() : resource.yaml() + "\n");
            }
            return Optional.of(all.toString());
        }

        /** The project: -f files as given, else FILE (or the current folder) with its override file, read. */
        private ComposeInput input() {
            List<Path> paths = new ArrayList<>();
            List<ComposeProblem> notes = List.of();
            try {
                Path where = file != null ? file : Path.of(".");
                // A folder is the project folder: Compose reads COMPOSE_FILE (environment, then .env) there first.
                List<Path> named = files.isEmpty() && Files.isDirectory(where)
                        ? ComposeFiles.fromVariable(where, System.getenv(),
                                envFile != null ? envFile : where.resolve(".env"))
                        : List.of();
                if (!named.isEmpty()) {
                    paths.addAll(named);
                    notes = List.of(ComposeFiles.variableNote(named));
                } else if (files.isEmpty()) {
                    paths.addAll(ComposeFiles.discover(where));
                    notes = ComposeFiles.notes(paths);
                } else {
                    if (file != null) {
                        paths.add(file);
                    }
                    paths.addAll(files);
                }
                if (envFile != null && !Files.isRegularFile(envFile)) {
                    throw new CliException(envFile + ": no such file (--env-file)");
                }
                List<ComposeInput.File> inputs = new ArrayList<>();
                for (Path path : paths) {
                    Path folder = path.toAbsolutePath().getParent();
                    inputs.add(new ComposeInput.File(path.toString(), folder, ComposeFiles.read(path, path.toString())));
                }
                // A relative build context is written relative to where the manifest lands, as a GitSource reads it.
                Path manifestDirectory = output == null ? null : output.toAbsolutePath().getParent();
                return new ComposeInput(inputs, inputs.get(0).directory(), System.getenv(), name, manifestDirectory,
                        profiles, envFile, notes);
            } catch (ComposeException e) {
                throw new CliException(e.problem().file() + ": " + e.problem().message());
            }
        }

        /** A file holding a Secret is made 0600 before anything is written to it, whatever the umask says. */
        private static void write(Path output, String yaml, boolean secrets) {
            try {
                if (secrets) {
                    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
                    if (Files.isRegularFile(output, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(output, owner);
                    } else if (!Files.exists(output)) {
                        Files.createFile(output, PosixFilePermissions.asFileAttribute(owner));
                    }
                }
                Files.writeString(output, yaml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(output + ": cannot write: " + e.getMessage());
            } catch (UnsupportedOperationException e) {
                throw new CliException(output + ": cannot make it readable by its owner only (the file system has no"
                        + " POSIX permissions); write it elsewhere, it holds Secret values");
            }
        }

        private static String count(int n, String what) {
            return n + " " + what + (n == 1 ? "" : "s");
        }
    }
}
