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

    /** What both kinds share: the values, dry run and output, and the create-only write. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EtcdOptions etcd;

        @Parameters(index = "0", paramLabel = "NAME", description = "The object's name (a DNS label).")
        String name;

        @Option(names = "--from-file", paramLabel = "[KEY=]PATH",
                description = "A file's content as the value of KEY (default: the file's name). Repeatable.")
        List<String> fromFiles = new ArrayList<>();

        @Option(names = "--from-literal", paramLabel = "KEY=VALUE",
                description = "A value typed on the command line (visible in the shell's history and the process"
                        + " list while it runs: prefer --from-file for real secrets). Repeatable.")
        List<String> fromLiterals = new ArrayList<>();

        @Option(names = "--dry-run", description = "Print the manifest instead of writing it (with -o; yaml by default).")
        boolean dryRun;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
                description = "Print the manifest as yaml or json (with --dry-run: instead of writing it).")
        Format output;

        abstract String kind();

        /** The manifest from the values read (a Secret's encrypted here), with these annotations. */
        abstract DataManifests.Manifest manifest(Map<String, byte[]> values, Map<String, String> annotations);

        @Override
        public Integer call() {
            Kinds kinds = Kinds.standard();
            KindDef kind = kinds.byKind(kind()).orElseThrow();
            // The creation time only on what is written: a --dry-run manifest may be committed and applied much later.
            Map<String, String> annotations = dryRun ? Map.of()
                    : Map.of(SealedApply.CREATED_AT, SealedApply.createdAt(java.time.Instant.now()));
            DataManifests.Manifest manifest = manifest(DataSources.read(fromFiles, fromLiterals), annotations);
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
                                + " create " + kind.singular() + " " + name + " ... --dry-run -o yaml | berth apply -f -");
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
    }

    @Command(name = "secret", mixinStandardHelpOptions = true,
            description = {"Make a Secret: every value is encrypted with the newest key of the cluster key file before"
                    + " it leaves this process; etcd (and --dry-run's output) hold only berth:v1: ciphertext.",
                    "Fails when the Secret exists. To change one: berth create secret NAME ... --dry-run -o yaml"
                            + " | berth apply -f -",
                    "The --dry-run output is safe to commit to git for a GitSource: it decrypts only with the key."})
    static final class Secret extends Base {
        @Mixin
        SecretKeyOption key;

        @Option(names = "--type", paramLabel = "TYPE", defaultValue = dev.berth.crds.secret.SecretSpec.OPAQUE,
                description = "The Secret's type (default ${DEFAULT-VALUE}, the only one for now).")
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
            return DataManifests.secret(name, Map.of(), annotations, type, encrypted);
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
