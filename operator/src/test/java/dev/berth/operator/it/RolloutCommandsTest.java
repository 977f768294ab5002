package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StackRevision;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** berth scale, restart and rollout undo as containers on the real dockerd, run by a real operator. */
class RolloutCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestOperator h = TestOperator.create();

    private Set<String> ids(String stack) {
        return h.containers(stack).stream().map(Container::getId).collect(Collectors.toSet());
    }

    private boolean allHaveEnv(String stack, String env) {
        return h.running(stack).stream().allMatch(c -> Arrays.asList(h.docker.inspectContainerCmd(c.getId()).exec()
                .getConfig().getEnv()).contains(env));
    }

    private void ok(CliRun run) {
        assertEquals(0, run.exit(), run.out() + run.err());
    }

    @Test
    void scaleRestartAndUndoEachProduceTheExpectedContainers() {
        String s = h.name("shop");
        h.apply(StackYaml.stack(s).with("env: {V: one}").yaml());
        h.awaitReady(s, 1);

        ok(h.cli("scale", "stack/" + s + "/web", "--replicas", "3"));
        h.awaitReady(s, 3);

        Set<String> before = ids(s);
        ok(h.cli("restart", "stack", s));
        Await.until(WAIT, "every replica replaced after the restart",
                () -> h.isReady(s, 3) && ids(s).stream().noneMatch(before::contains), () -> h.describeStatus(s));

        h.apply(StackYaml.stack(s).replicas(2).with("env: {V: two}").yaml());
        Await.until(WAIT, "two replicas with V=two", () -> h.isReady(s, 2) && allHaveEnv(s, "V=two"),
                () -> h.describeStatus(s));

        ok(h.cli("rollout", "undo", "stack", s));
        Await.until(WAIT, "three replicas with V=one again after the undo",
                () -> h.isReady(s, 3) && allHaveEnv(s, "V=one"), () -> h.describeStatus(s));

        List<String> causes = h.etcd.store.revisions().list(s).stream().map(StackRevision::changeCause).toList();
        assertEquals(List.of("berth apply", "berth scale web=3", "berth restart", "berth apply",
                "berth rollout undo --to-revision 3"), causes);
        CliRun history = h.cli("rollout", "history", "stack/" + s);
        ok(history);
        assertTrue(history.out().contains("berth rollout undo --to-revision 3"), history.out());
    }
}
