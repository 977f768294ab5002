package dev.berth.operator.gitops;

import com.github.dockerjava.api.model.Container;
import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Test operators for GitOps on one etcd prefix and one instance (so the leader and its followers run the same
 * containers), started per host when a test wants them, and the GitSource vocabulary the tests share. close()
 * stops every operator and removes exactly what the instance made.
 */
final class GitOpsTestBed implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);

    private final TestOperator env;
    final String instance;
    final EtcdFixture etcd;

    GitOpsTestBed() {
        this(b -> b);
    }

    /** With more settings for every operator of the bed (a cluster key file, a --secrets-dir). */
    GitOpsTestBed(java.util.function.UnaryOperator<TestOperator.Builder> settings) {
        env = settings.apply(TestOperator.builder().resync(Duration.ofSeconds(5)).workers(2)
                .etcdTimeout(Duration.ofSeconds(3))).build();
        instance = env.instance;
        etcd = env.etcd;
    }

    String name(String suffix) {
        return env.name(suffix);
    }

    /** Starts an operator for {@code host} on this bed's prefix and instance. */
    TestOperator startOperator(String host) throws IOException {
        return env.peer(host).start();
    }

    /** {@code berth operator} in a JVM of its own for {@code host}, on this bed's prefix and instance. */
    List<String> processCommand(String host, String... options) {
        return env.processCommand(host, List.of(), options);
    }

    void apply(String yaml) {
        env.apply(yaml);
    }

    String gitSource(String name, String url, String extraSpec) {
        return Manifest.of("GitSource", name, "url: " + url + "\npath: stacks\n" + extraSpec);
    }

    /**
     * A stack as a person keeps it in git: a label, a comment (kept in etcd) and its replicas. Global mode: the
     * bed's operators are hosts on one Docker and one instance, so each sees the others' containers as its own;
     * with every host running every replica they all want the same containers, where replicated stacks would
     * have each host remove the replicas assigned to the others.
     */
    String stack(String name, int replicas) {
        return StackYaml.stack(name).metadata("labels: {team: blue}   # a comment that stays in etcd").global()
                .replicas(replicas).yaml();
    }

    /** Commits stacks/{suffix}.yaml, the one-replica stack {@code name(suffix)}, as "{suffix}"; returns the commit. */
    String commitStack(TestRepo repo, String suffix) throws IOException {
        repo.write("stacks/" + suffix + ".yaml", stack(name(suffix), 1));
        return repo.commit(suffix);
    }

    Optional<GitSourceStatus> status(String source) {
        return etcd.kv.get(etcd.keys.status("gitsource", source, GitSync.STATUS_HOST))
                .flatMap(v -> GitSync.readStatus(v.value()));
    }

    String describe(String source) {
        return status(source).map(Object::toString).orElse("no status");
    }

    Optional<String> stored(String kind, String name) {
        return env.stored(kind, name);
    }

    void awaitSynced(String source, String commit) {
        Await.until(WAIT, source + " synced at " + commit, () -> status(source)
                .map(s -> commit.equals(s.lastSyncedCommit()) && !s.phase().equals(GitSourceStatus.FAILED))
                .orElse(false), () -> describe(source));
    }

    List<Container> running(String stack) {
        return env.running(stack);
    }

    void awaitRunning(String stack, int count) {
        env.awaitRunning(stack, count);
    }

    @Override
    public void close() {
        env.close();
    }
}
