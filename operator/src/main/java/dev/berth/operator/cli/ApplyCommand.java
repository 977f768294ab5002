package dev.berth.operator.cli;

import dev.berth.operator.manifests.ManifestFiles;
import dev.berth.operator.manifests.Manifests;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.operator.store.ApplyOutcome;
import java.io.PrintWriter;
import dev.berth.crds.Resource;
import dev.berth.operator.secrets.SecretKeyring;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Validate manifests, then write them all to etcd in one transaction.%n"
                + "Nothing is written when any document is invalid. Prints KIND/NAME created|configured|unchanged.%n"
                + "A Secret's stringData is encrypted with the cluster key (--secret-key-file) into encryptedData first;"
                + " with a key at hand every encryptedData value must decrypt.")
public final class ApplyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR|-",
            description = "A file, a folder of *.yaml/*.yml files, or - for stdin. Repeatable.")
    List<String> files;

    @Option(names = "--dry-run", description = "Print what would change without writing.")
    boolean dryRun;

    @Mixin
    SecretKeyOption secretKey;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        Manifests.Loaded loaded = Manifests.load(new ManifestParser(kinds), ManifestFiles.read(files, System.in));
        if (!loaded.report(spec.commandLine().getErr())) {
            return 1;
        }
        // Secrets are sealed before etcd is even asked: a missing key or a foreign envelope writes nothing.
        Optional<SecretKeyring> keyring = SecretSealer.anySecret(loaded.resources()) ? secretKey.ifGiven() : Optional.empty();
        SecretSealer.Sealed sealed = SecretSealer.seal(loaded.resources(), keyring);
        if (!new Manifests.Loaded(sealed.resources(), sealed.errors()).report(spec.commandLine().getErr())) {
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            Manifests.Loaded crossChecked = loaded.crossChecked(Manifests.storedForChecks(session.store(), kinds));
            if (!crossChecked.report(spec.commandLine().getErr())) {
                return 1;
            }
            // Checked as written (errors point into the files), stored as sealed.
            List<Resource> toWrite = SecretSealer.keepUnchanged(sealed.resources(), session.store(), keyring);
            List<ApplyOutcome> outcomes = dryRun ? session.store().preview(toWrite) : session.store().apply(toWrite);
            outcomes.forEach(o -> out.println(o + (dryRun ? " (dry run)" : "")));
            PlacementNotice.print(session, loaded.resources(), spec.commandLine().getErr());
        }
        out.flush();
        return 0;
    }
}
