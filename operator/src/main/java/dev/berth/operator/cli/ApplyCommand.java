package dev.berth.operator.cli;

import dev.berth.operator.manifests.ManifestFiles;
import dev.berth.operator.manifests.Manifests;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Validate manifests, then write them all to etcd in one transaction.%n"
                + "Nothing is written when any document is invalid, or when they are more than 128 objects (etcd's"
                + " default --max-txn-ops): apply those in parts. Prints KIND/NAME created|configured|unchanged.%n"
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

    @Option(names = "--wait", description = "After writing, wait until every Stack applied is Ready (see berth wait);"
            + " other kinds are not waited for. Exit 1 when one fails or --timeout passes.")
    boolean await;

    @Mixin
    WaitOptions waiting;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        Manifests.Loaded loaded = Manifests.load(new ManifestParser(kinds), ManifestFiles.read(files, System.in));
        if (!loaded.report(spec.commandLine().getErr())) {
            return 1;
        }
        int applied = SealedApply.run(loaded.resources(), secretKey, etcd, kinds, dryRun, spec.commandLine().getOut(),
                spec.commandLine().getErr());
        if (applied != 0 || !await || dryRun) {
            return applied;
        }
        List<String> stacks = loaded.resources().stream().filter(r -> r.kind().kind().equals("Stack"))
                .map(r -> r.metadata().name()).distinct().toList();
        return StackWaits.run(stacks, etcd, waiting, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
