package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectMeta;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.stack.StackAnnotations;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Restart a stack (like kubectl rollout restart): every service picks its image again (a new"
                + " digest when the tag moved) and rolls its replicas through its update strategy.",
                "Writes the annotation " + StackAnnotations.RESTARTED_AT + " (now) into the stack in etcd. A stack a"
                        + " GitSource syncs is refused without --force: its next sync would write it back as committed."})
public final class RestartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(arity = "1..2", paramLabel = "STACK", description = "stack/NAME or stack NAME")
    List<String> target;

    @Option(names = "--force", description = "Restart a stack a GitSource syncs anyway (until its next sync).")
    boolean force;

    @Override
    public Integer call() {
        String name = TargetArgument.parse(target, "Stack", false, spec.commandLine()).name();
        Kinds kinds = Kinds.standard();
        KindDef kind = kinds.byKind("Stack").orElseThrow();
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            StackEdit.run(session, kind, new StackEdit.Request(name, force, "restart it",
                    "the restart (and restart it again)"),
                    resource -> new StackEdit.Edited(restarted(resource, Instant.now()), "berth restart"));
        }
        out.println("stack/" + name + " restarted");
        out.flush();
        return 0;
    }

    /** The stored text with the restart annotation set, checked to parse into the same stack with that annotation. */
    static String restarted(Resource resource, Instant now) {
        Map<String, String> annotations = new TreeMap<>(resource.metadata().annotations());
        String at = now.truncatedTo(ChronoUnit.MILLIS).toString();
        annotations.put(StackAnnotations.RESTARTED_AT, at);
        ObjectMeta meta = new ObjectMeta(resource.metadata().name(), resource.metadata().labels(), annotations);
        String yaml = StackMetadataEdit.withMetadata(resource.yaml(), meta)
                .filter(text -> sameStack(resource, text, at))
                .orElse(null);
        if (yaml == null) {
            throw new CliException("stack/" + name(resource) + ": cannot add the annotation to the stored manifest;"
                    + " add " + StackAnnotations.RESTARTED_AT + ": \"" + at + "\" under metadata.annotations and apply it");
        }
        return yaml;
    }

    private static boolean sameStack(Resource before, String yaml, String at) {
        ParseResult parsed = new ManifestParser(Kinds.standard()).parse("restart",
                yaml.getBytes(StandardCharsets.UTF_8));
        Optional<Resource> after = parsed.ok() && parsed.resources().size() == 1
                ? Optional.of(parsed.resources().get(0)) : Optional.empty();
        return after.isPresent() && at.equals(after.get().metadata().annotations().get(StackAnnotations.RESTARTED_AT))
                && after.get().metadata().name().equals(before.metadata().name())
                && after.get().metadata().labels().equals(before.metadata().labels())
                && after.get().spec().equals(before.spec());
    }

    private static String name(Resource resource) {
        return resource.metadata().name();
    }
}
