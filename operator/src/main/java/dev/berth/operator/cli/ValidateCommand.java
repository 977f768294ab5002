package dev.berth.operator.cli;

import dev.berth.operator.manifests.ManifestFiles;
import dev.berth.operator.manifests.Manifests;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check manifests against Berth's schemas and against each other (unique VNIs, subnets that do"
                + " not overlap) without touching etcd.%n"
                + "Every error is printed as FILE:LINE:COLUMN: FIELD: MESSAGE.")
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR|-",
            description = "A file, a folder of *.yaml/*.yml files, or - for stdin. Repeatable.")
    List<String> files;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        // Nothing is stored for validate: the files are checked among themselves, across objects too.
        Manifests.Loaded loaded = Manifests.load(new ManifestParser(kinds), ManifestFiles.read(files, System.in))
                .crossChecked(List.of());
        if (!loaded.report(spec.commandLine().getErr())) {
            return 1;
        }
        loaded.resources().forEach(r -> spec.commandLine().getOut().println(r.key() + " valid"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
