package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.gitops.GitOpsRuntime;
import dev.berth.operator.gitops.GitSync;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoredValue;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Sync a GitSource now: fetch its repository and apply the commit, without waiting for its"
                + " interval (what a webhook does).",
                "Asks the GitOps leader through etcd, then waits for the outcome of a sync that fetched after the"
                        + " request and prints the commit. Exit 0 when synced, 1 when the sync failed (with the"
                        + " reason) or no sync came within --timeout."})
public final class SyncCommand implements Callable<Integer> {
    /** How often the status is read while waiting: a sync takes at least a fetch, so this adds little. */
    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(arity = "1..2", paramLabel = "GITSOURCE", description = "gitsource/NAME or gitsource NAME")
    List<String> target;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationArgument.class,
            description = "How long to wait for the sync (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        Kinds kinds = Kinds.standard();
        String name = TargetArgument.parse(target, "GitSource", false, spec.commandLine()).name();
        KindDef kind = kinds.byKind("GitSource").orElseThrow();
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            if (session.store().get(kind, name).isEmpty()) {
                throw new CliException("gitsource/" + name + " not found");
            }
            KeyLayout keys = etcd.keyLayout();
            long request = session.kv().commitAt(List.of(), List.of(new EtcdKv.Write(
                    GitOpsRuntime.triggersPrefix(keys) + name, Instant.now().toString())));
            String statusKey = keys.status(kind.singular(), name, GitSync.STATUS_HOST);
            Instant deadline = Instant.now().plus(timeout);
            while (true) {
                Optional<GitSourceStatus> answer = session.kv().get(statusKey).map(StoredValue::value)
                        .flatMap(GitSync::readStatus).filter(s -> s.requestRevision() >= request);
                if (answer.isPresent()) {
                    out.println(outcome(name, answer.get()));
                    out.flush();
                    return 0;
                }
                if (!Instant.now().isBefore(deadline)) {
                    throw new CliException("gitsource/" + name + ": no sync within " + describe(timeout) + " of the"
                            + " request (is an operator running? berth get hosts; berth describe gitsource " + name + ")");
                }
                if (session.store().get(kind, name).isEmpty()) {
                    throw new CliException("gitsource/" + name + " was deleted while waiting for its sync");
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    /** The line for a sync that answered the request, or a one-line error when it failed. */
    static String outcome(String name, GitSourceStatus status) {
        if (GitSourceStatus.FAILED.equals(status.phase())) {
            throw new CliException("gitsource/" + name + ": sync failed: " + status.lastError());
        }
        String line = "gitsource/" + name + " synced commit " + status.lastSyncedCommit();
        return GitSourceStatus.SYNCED.equals(status.phase()) ? line
                : line + " (" + status.phase() + ": " + status.conditions().stream()
                .filter(c -> c.type().equals("Synced")).map(c -> c.message()).findFirst().orElse("") + ")";
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
