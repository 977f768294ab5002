package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19's names on one host, with the real dockerd: a service's alias resolves for another container like the
 * service's name, adding one replaces the container; a kept containerName is the Docker name ps shows, the container
 * goes with the stack, and a container of that name Berth does not own is never touched (the status says why).
 */
class ServiceNamesOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final TestOperator h = TestOperator.create();

    private String stack(String s, String kept, String aliases) {
        return StackYaml.stack(s).service("web").with("aliases: " + aliases)
                .service("legacy").with("containerName: " + kept)
                .service("asker").yaml();
    }

    private Container named(String s, String name) {
        return h.containers(s).stream().filter(c -> c.getNames()[0].equals("/" + name)).findFirst().orElseThrow();
    }

    /** {@code nslookup name} in the container, bounded; its output. */
    private String lookup(Container in, String name) throws InterruptedException {
        String exec = h.docker.execCreateCmd(in.getId()).withCmd("timeout", "5", "nslookup", name)
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        StringBuilder out = new StringBuilder();
        h.docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (out) {
                    out.append(new String(frame.getPayload()));
                }
            }
        }).awaitCompletion(15, TimeUnit.SECONDS);
        synchronized (out) {
            return out.toString();
        }
    }

    private String ip(Container c, String network) {
        return h.docker.inspectContainerCmd(c.getId()).exec().getNetworkSettings().getNetworks().get(network).getIpAddress();
    }

    private void awaitResolves(Container asker, String name, String ip) {
        String[] last = {""};
        Await.until(WAIT, name + " resolves to " + ip, () -> {
            try {
                last[0] = lookup(asker, name);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return last[0].lines().anyMatch(l -> l.startsWith("Address") && l.contains(ip) && !l.contains(":53"));
        }, () -> last[0]);
    }

    @Test
    void anAliasResolvesLikeTheServiceAndAKeptNameIsTheContainersName() throws Exception {
        String s = h.name("names");
        String kept = h.name("legacy_db");
        h.apply(stack(s, kept, "[www]"));
        h.awaitReady(s, 3);
        String network = s + "_default";
        Container asker = named(s, s + "-asker-1");
        Container web = named(s, s + "-web-1");
        awaitResolves(asker, "www", ip(web, network));
        Container legacy = named(s, kept);
        awaitResolves(asker, kept, ip(legacy, network));
        assertTrue(h.cli("ps", s).out().contains(kept), h.cli("ps", s).out());

        // A second alias: the container is replaced (Docker's aliases are set when it joins), and both names answer.
        h.apply(stack(s, kept, "[www, site]"));
        Await.until(WAIT, "web replaced after its aliases changed", () -> h.isReady(s, 3)
                && !named(s, s + "-web-1").getId().equals(web.getId()), () -> h.describeStatus(s));
        Container web2 = named(s, s + "-web-1");
        awaitResolves(asker, "site", ip(web2, network));
        awaitResolves(asker, "www", ip(web2, network));
        assertEquals(legacy.getId(), named(s, kept).getId(), "the kept-name service is untouched");

        h.delete(s);
        Await.until(WAIT, "every container of the stack removed, the kept name too", () -> h.containers(s).isEmpty()
                && h.docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(kept)).exec().isEmpty(),
                () -> h.describeStatus(s));
    }

    @Test
    void aNameTakenByAContainerBerthDoesNotOwnIsLeftAloneAndSaidInTheStatus() {
        String s = h.name("taken");
        String kept = h.name("taken_db");
        String foreign = h.docker.createContainerCmd(TestEnv.testImage()).withName(kept)
                .withCmd("sleep", "600").exec().getId();
        try {
            h.docker.startContainerCmd(foreign).exec();
            h.apply(StackYaml.stack(s).with("containerName: " + kept).yaml());
            Await.until(WAIT, "status names the taken name", () -> h.status(s)
                    .flatMap(st -> st.condition("Degraded")).filter(c -> c.isTrue())
                    .map(c -> c.message().contains("taken by a container Berth does not own")).orElse(false),
                    () -> h.describeStatus(s));
            var inspect = h.docker.inspectContainerCmd(foreign).exec();
            assertTrue(inspect.getState().getRunning(), "the foreign container still runs");
            assertEquals("/" + kept, inspect.getName());
            assertTrue(h.containers(s).isEmpty(), "no container of the stack under another name");
            h.delete(s);
            Await.until(WAIT, "status gone after delete", () -> h.status(s).isEmpty(), () -> h.describeStatus(s));
            assertNotEquals(null, h.docker.inspectContainerCmd(foreign).exec().getId(), "the foreign container is still there");
        } finally {
            h.docker.removeContainerCmd(foreign).withForce(true).exec();
        }
    }
}
