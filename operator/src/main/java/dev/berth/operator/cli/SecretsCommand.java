package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.Resource;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = "The cluster key: make one, and move every Secret to the newest key.",
        subcommands = {SecretsCommand.NewKey.class, SecretsCommand.Reencrypt.class})
public final class SecretsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a command: new-key or reencrypt");
    }

    @Command(name = "new-key", mixinStandardHelpOptions = true,
            description = {"Print a new cluster key (32 random bytes, base64) as a key file line, after a comment.",
                    "",
                    "The key file holds one key per line, oldest first; lines starting with # are comments. The last"
                            + " key encrypts, every key decrypts. Keep it readable by its owner only:",
                    "  (umask 077; berth secrets new-key > /etc/berth/cluster.key)",
                    "Every operator (--secret-key-file) and every CLI that creates, applies or re-encrypts Secrets"
                            + " (--secret-key-file or BERTH_SECRET_KEY_FILE) needs the same file.",
                    "",
                    "Rotation:",
                    "  1. berth secrets new-key >> cluster.key",
                    "     (appended: the new key encrypts from now on)",
                    "  2. give the new file to every operator first, then to every CLI",
                    "     (a host without it cannot open values sealed with the new key)",
                    "  3. berth secrets reencrypt",
                    "     (every Secret moves to the new key; no container restarts)",
                    "  4. later, remove the old key's line from every copy of the file"})
    static final class NewKey implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println("# berth cluster key made " + java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                    + ": oldest first, the last key encrypts; append new keys, see berth secrets new-key --help");
            out.println(SecretKeyring.newKeyLine());
            out.flush();
            return 0;
        }
    }

    @Command(name = "reencrypt", mixinStandardHelpOptions = true,
            description = {"Decrypt every Secret with any key of the key file and encrypt it again with the newest.",
                    "Values already under the newest key are left as they are. Each Secret is written only if nobody"
                            + " changed it meanwhile. A value that does not decrypt leaves its Secret untouched and"
                            + " makes the exit code 1. The plain values do not change, so no container restarts.",
                    "A Secret that came from a GitSource is written again by the next sync: make it anew with"
                            + " berth create secret ... --dry-run -o yaml and commit that."})
    static final class Reencrypt implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        EtcdOptions etcd;

        @Mixin
        SecretKeyOption secretKey;

        @Option(names = "--dry-run", description = "Say what would be re-encrypted without writing.")
        boolean dryRun;

        @Override
        public Integer call() {
            SecretKeyring keyring = secretKey.required();
            Kinds kinds = Kinds.standard();
            KindDef kind = kinds.byKind(SecretSealer.SECRET).orElseThrow();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int failed = 0;
            try (StoreSession session = new StoreSession(etcd, kinds)) {
                for (StoredObject object : session.store().list(kind)) {
                    List<String> errors = new ArrayList<>();
                    String line = reencrypt(session, object, keyring, errors);
                    if (errors.isEmpty()) {
                        out.println(line);
                    } else {
                        failed++;
                        errors.forEach(e -> err.println("error: " + e));
                        err.println(object.key() + " left as it was");
                    }
                }
            }
            out.flush();
            if (failed > 0) {
                err.println(failed + (failed == 1 ? " secret" : " secrets") + " could not be re-encrypted");
            }
            err.flush();
            return failed == 0 ? 0 : 1;
        }

        /** Re-encrypts one Secret; the line to print, or errors (the Secret then stays as it is). */
        private String reencrypt(StoreSession session, StoredObject object, SecretKeyring keyring, List<String> errors) {
            String name = object.name();
            if (object.resource().isEmpty()) {
                errors.add(object.key() + ": the stored object is invalid: " + object.errors().get(0));
                return null;
            }
            Resource resource = object.resource().get();
            SecretSpec spec = resource.spec(SecretSpec.class);
            if (spec.hasPlainValues()) {
                errors.add(object.key() + " holds plain stringData (written around berth apply): write it with"
                        + " berth apply");
                return null;
            }
            String newest = keyring.newestKeyId();
            Map<String, String> data = new TreeMap<>(spec.encryptedData());
            TreeSet<String> from = new TreeSet<>();
            int moved = 0;
            for (Map.Entry<String, String> entry : spec.encryptedData().entrySet()) {
                String id = SecretKeyring.keyIdOf(entry.getValue()).orElse("?");
                if (id.equals(newest)) {
                    continue;
                }
                try {
                    byte[] plain = keyring.decrypt(name, entry.getKey(), entry.getValue());
                    data.put(entry.getKey(), keyring.encrypt(name, entry.getKey(), plain));
                    Arrays.fill(plain, (byte) 0);
                    from.add(id);
                    moved++;
                } catch (SecretKeyException e) {
                    errors.add(e.getMessage());
                }
            }
            if (!errors.isEmpty()) {
                return null;
            }
            if (moved == 0) {
                int n = spec.encryptedData().size();
                return object.key() + " unchanged (" + n + (n == 1 ? " value" : " values") + " under key " + newest + ")";
            }
            String what = moved + (moved == 1 ? " value" : " values") + " from key " + String.join(", ", from)
                    + " to key " + newest;
            String source = resource.metadata().annotations().get(dev.berth.operator.gitops.GitAnnotations.SOURCE);
            if (source != null) {
                // The next sync would put the old ciphertext back, and a later removal of the old key would then
                // leave the Secret unreadable: the commit is what must change.
                errors.add(object.key() + " comes from gitsource/" + source + " (" + what + " needed): commit it"
                        + " re-encrypted (berth create secret " + name + " ... --dry-run -o yaml) and run berth secrets"
                        + " reencrypt again");
                return null;
            }
            if (dryRun) {
                return object.key() + " would be re-encrypted: " + what + " (dry run)";
            }
            String yaml = DataManifests.secret(name, resource.metadata().labels(), resource.metadata().annotations(),
                    spec.type(), spec.registry(), data).yaml();
            String key = object.raw().key();
            boolean written = session.kv().commit(List.of(new EtcdKv.Guard(key, object.raw().modRevision())),
                    List.of(new EtcdKv.Write(key, yaml)));
            if (!written) {
                errors.add(object.key() + " changed while it was being re-encrypted; run berth secrets reencrypt again");
                return null;
            }
            return object.key() + " re-encrypted: " + what;
        }
    }
}
