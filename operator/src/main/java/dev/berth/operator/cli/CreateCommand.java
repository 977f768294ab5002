package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.EtcdKv;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Make a Secret or Config from files and literals (as kubectl create secret generic does).",
        subcommands = {CreateCommand.Secret.class, CreateCommand.Config.class})
public final class CreateCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing what to create: secret or config");
    }

    enum Format { yaml, json }

    /** What every create shares: the name, dry run and output, and the create-only write. */
    abstract static class Writer implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EtcdOptions etcd;

        // Optional to picocli only: `create secret` has the subcommand `registry`, and a parent's required
        // parameter would be demanded before it (checked in call()).
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The object's name (a DNS label).")
        String name;

        @Option(names = "--dry-run", description = "Print the manifest instead of writing it (with -o; yaml by default).")
        boolean dryRun;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
                description = "Print the manifest as yaml or json (with --dry-run: instead of writing it).")
        Format output;

        abstract String kind();

        /** The manifest to write, with these annotations (a Secret's values encrypted here). */
        abstract DataManifests.Manifest manifest(Map<String, String> annotations);

        @Override
        public Integer call() {
            if (name == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'NAME'");
            }
            Kinds kinds = Kinds.standard();
            KindDef kind = kinds.byKind(kind()).orElseThrow();
            // The creation time only on what is written: a --dry-run manifest may be committed and applied much later.
            Map<String, String> annotations = dryRun ? Map.of()
                    : Map.of(SealedApply.CREATED_AT, SealedApply.createdAt(java.time.Instant.now()));
            DataManifests.Manifest manifest = manifest(annotations);
            return write(kinds, kind, manifest);
        }

        private int write(Kinds kinds, KindDef kind, DataManifests.Manifest manifest) {
            String yaml = manifest.yaml();
            int bytes = yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > ManifestParser.maxBytes()) {
                throw new CliException(kind.singular() + "/" + name + " would be " + bytes + " bytes stored; an object"
                        + " holds at most " + ManifestParser.maxBytes() + " (a Secret's values grow by a third when"
                        + " encrypted): split the values into several objects");
            }
            // The same checks as berth apply (name, schema), on exactly the text that would be stored.
            ParseResult parsed = new ManifestParser(kinds).parse("<" + kind.singular() + " " + name + ">",
                    yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!parsed.ok()) {
                parsed.errors().forEach(e -> err.println("error: " + e.message()
                        + (e.path().isEmpty() ? "" : " (" + e.path() + ")")));
                err.flush();
                return 1;
            }
            if (!dryRun) {
                try (StoreSession session = new StoreSession(etcd, kinds)) {
                    String key = session.store().keys().desired(kind.singular(), name);
                    boolean created = session.kv().commit(List.of(new EtcdKv.Guard(key, 0)),
                            List.of(new EtcdKv.Write(key, yaml)));
                    if (!created) {
                        throw new CliException(kind.singular() + "/" + name + " already exists; to replace it: berth"
                                + " create " + kind.singular() + " " + createWords() + name
                                + " ... --dry-run -o yaml | berth apply -f -");
                    }
                }
            }
            if (output == Format.json) {
                out.print(manifest.json());
            } else if (output == Format.yaml || dryRun) {
                out.print(yaml);
            } else {
                out.println(kind.singular() + "/" + name + " created");
            }
            out.flush();
            return 0;
        }

        /** Words between the kind and the name in this command ("registry " for a registry Secret). */
        String createWords() {
            return "";
        }
    }

    /** What both kinds made from files and literals share: the values. */
    abstract static class Base extends Writer {
        @Option(names = "--from-file", paramLabel = "[KEY=]PATH",
                description = "A file's content as the value of KEY (default: the file's name). Repeatable.")
        List<String> fromFiles = new ArrayList<>();

        @Option(names = "--from-literal", paramLabel = "KEY=VALUE",
                description = "A value typed on the command line (visible in the shell's history and the process"
                        + " list while it runs: prefer --from-file for real secrets). Repeatable.")
        List<String> fromLiterals = new ArrayList<>();

        /** The manifest from the values read (a Secret's encrypted here), with these annotations. */
        abstract DataManifests.Manifest manifest(Map<String, byte[]> values, Map<String, String> annotations);

        @Override
        DataManifests.Manifest manifest(Map<String, String> annotations) {
            return manifest(DataSources.read(fromFiles, fromLiterals), annotations);
        }
    }

    @Command(name = "secret", mixinStandardHelpOptions = true,
            description = {"Make a Secret: every value is encrypted with the newest key of the cluster key file before"
                    + " it leaves this process; etcd (and --dry-run's output) hold only berth:v1: ciphertext.",
                    "Fails when the Secret exists. To change one: berth create secret NAME ... --dry-run -o yaml"
                            + " | berth apply -f -",
                    "The --dry-run output is safe to commit to git for a GitSource: it decrypts only with the key.",
                    "A registry login: berth create secret registry NAME --server HOST --username USER --password-stdin"},
            subcommands = {CreateCommand.RegistrySecret.class})
    static final class Secret extends Base {
        @Mixin
        SecretKeyOption key;

        @Option(names = "--type", paramLabel = "TYPE", defaultValue = dev.berth.crds.secret.SecretSpec.OPAQUE,
                description = "The Secret's type (default ${DEFAULT-VALUE}; for a registry login use berth create"
                        + " secret registry).")
        String type;

        @Override
        String kind() {
            return "Secret";
        }

        @Override
        DataManifests.Manifest manifest(Map<String, byte[]> values, Map<String, String> annotations) {
            SecretKeyring keyring = key.required();
            Map<String, String> encrypted = new LinkedHashMap<>();
            values.forEach((k, v) -> encrypted.put(k, keyring.encrypt(name, k, v)));
            return DataManifests.secret(name, Map.of(), annotations, type, null, encrypted);
        }
    }

    @Command(name = "registry", mixinStandardHelpOptions = true,
            description = {"Make a Secret of type Registry (like kubectl create secret docker-registry): the login"
                    + " operators use to pull images from SERVER (and push the images they build there).",
                    "The password is read from stdin or a file, never from the command line; it is encrypted with the"
                            + " newest key of the cluster key file before it leaves this process.",
                    "Fails when the Secret exists. To change one: berth create secret registry NAME ... --dry-run -o yaml"
                            + " | berth apply -f -"})
    static final class RegistrySecret extends Writer {
        @Mixin
        SecretKeyOption key;

        @Option(names = "--server", required = true, paramLabel = "HOST[:PORT]",
                description = "The registry as image references name it: registry.example.com, 10.0.0.5:5000, docker.io.")
        String server;

        @Option(names = "--username", required = true, paramLabel = "USER", description = "The registry user.")
        String username;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        PasswordSource password;

        static final class PasswordSource {
            @Option(names = "--password-stdin", required = true, description = "Read the password from stdin.")
            boolean stdin;

            @Option(names = "--password-file", required = true, paramLabel = "FILE",
                    description = "Read the password from FILE.")
            java.nio.file.Path file;
        }

        @Override
        String kind() {
            return "Secret";
        }

        @Override
        String createWords() {
            return "registry ";
        }

        @Override
        DataManifests.Manifest manifest(Map<String, String> annotations) {
            SecretKeyring keyring = key.required();
            byte[] secret = password();
            try {
                Map<String, String> encrypted = new LinkedHashMap<>();
                encrypted.put(dev.berth.crds.secret.SecretSpec.USERNAME_KEY, keyring.encrypt(name,
                        dev.berth.crds.secret.SecretSpec.USERNAME_KEY,
                        username.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                encrypted.put(dev.berth.crds.secret.SecretSpec.PASSWORD_KEY, keyring.encrypt(name,
                        dev.berth.crds.secret.SecretSpec.PASSWORD_KEY, secret));
                return DataManifests.secret(name, Map.of(), annotations, dev.berth.crds.secret.SecretSpec.REGISTRY,
                        server, encrypted);
            } finally {
                java.util.Arrays.fill(secret, (byte) 0);
            }
        }

        /** The password as read, without the line break an echo or a file's last line adds (as docker login does). */
        private byte[] password() {
            if (username.isEmpty() || username.contains(":")) {
                throw new CliException("--username must be non-empty and without ':' (registries log in with"
                        + " user:password)");
            }
            byte[] bytes;
            try {
                bytes = password.stdin ? System.in.readAllBytes() : java.nio.file.Files.readAllBytes(password.file);
            } catch (java.io.IOException e) {
                throw new CliException((password.stdin ? "stdin" : password.file.toString()) + ": cannot read the"
                        + " password: " + e.getMessage());
            }
            int length = bytes.length;
            if (length > 0 && bytes[length - 1] == '\n') {
                length--;
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
            }
            byte[] trimmed = java.util.Arrays.copyOf(bytes, length);
            java.util.Arrays.fill(bytes, (byte) 0);
            if (trimmed.length == 0) {
                throw new CliException("the password is empty (read from " + (password.stdin ? "stdin" : password.file)
                        + ")");
            }
            return trimmed;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = {"Make a Config: text files stored as they are (not encrypted; binary files are refused).",
                    "Fails when the Config exists. To change one: berth create config NAME ... --dry-run -o yaml"
                            + " | berth apply -f -"})
    static final class Config extends Base {
        @Override
        String kind() {
            return "Config";
        }

        @Override
        DataManifests.Manifest manifest(Map<String, byte[]> values, Map<String, String> annotations) {
            return DataManifests.config(name, Map.of(), annotations, DataSources.text(values));
        }
    }
}
