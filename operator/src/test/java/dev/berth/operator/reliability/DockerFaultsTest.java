package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.dockerjava.api.model.Container;
import dev.berth.operator.Await;
import dev.berth.operator.PrivateDockerd;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.reconcilers.labels.BerthLabels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Suite item 4 of issue 20, Docker faults: a private dockerd restarted (SIGTERM) and SIGKILLed while the operator
 * applies a multi-service stack; Docker's event stream stalled or cut while containers change; and defect 8, a
 * dockerd shutting down stops every container while its API still answers, and the operator must leave them to
 * Docker. Counts: {@code -Dberth.reliability.dockerFaults=N} rounds of each (CI: 4), seed
 * {@code -Dberth.reliability.seed=S}.
 */
@RunsInTheFaultLane
class DockerFaultsTest {
    /** A deadline, not a duration: generous, since the suite shares its machine with the other tests' dockerd work. */
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final int ROUNDS = Integer.getInteger("berth.reliability.dockerFaults", 4);
    private static final long SEED = Long.getLong("berth.reliability.seed", 20L);
    /** The Docker calls that change something: none may happen while Docker goes down. */
    private static final List<String> MUTATING = List.of("create_container", "start_container", "remove_container",
            "stop_container", "rename_container", "connect_network", "create_network", "remove_network");
    private static final int API_REPLICAS = 2;

    /** web × {@code web} and api × 2; REV in every container's env, so each revision replaces every container. */
    private static String stack(String name, int revision, int web) {
        String env = "env: {REV: \"" + revision + "\"}";
        return StackYaml.stack(name).service("web").replicas(web).with(env)
                .service("api").replicas(API_REPLICAS).with(env).yaml();
    }

    /**
     * What one look at the host found wrong (goal: 0 of each). {@code leftovers}: dead containers Docker refuses to
     * remove (a dockerd stopped mid-create can leave one whose mount stays busy); {@code unreported}: those the stack's
     * status does not name.
     */
    record Audit(int duplicates, int orphans, int stuck, int leftovers, int unreported, String detail) {
        boolean clean() {
            return duplicates == 0 && orphans == 0 && stuck == 0 && unreported == 0;
        }
    }

    /** A stand-in name ({@code <name>-next}, {@code <name>-next-<n>}) and the name it stands in for. */
    private static final java.util.regex.Pattern STAND_IN = java.util.regex.Pattern.compile("(.*)-next(-[0-9]+)?");

    /**
     * Duplicates: containers over a service's replicas, and leftover {@code -next} ones; orphans: containers or
     * networks of this instance owned by anything but the stack; stuck: containers not running. A dead container Docker
     * refuses to remove is none of these: it does not run, so it is no duplicate replica, and Berth cannot make it go;
     * what a user needs is its replica running (under a stand-in {@code -next} name while the dead one holds the name,
     * so that stand-in is no leftover either) and the dead one named in the stack's status. Those are counted apart.
     */
    static Audit audit(TestOperator h, String stack, int web) {
        List<Container> all = h.docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BerthLabels.MANAGED_BY, h.instance)).exec();
        List<Container> dead = all.stream().filter(DockerFaultsTest::leftBehind).toList();
        Set<String> held = dead.stream().map(c -> c.getNames()[0]).collect(Collectors.toCollection(java.util.HashSet::new));
        List<Container> live = all.stream().filter(c -> !leftBehind(c)).toList();
        // Docker may also keep a name for a container it failed to remove and no longer list it: ask by name.
        int unlisted = 0;
        for (Container c : live) {
            java.util.regex.Matcher m = STAND_IN.matcher(c.getNames()[0]);
            if (m.matches() && !held.contains(m.group(1)) && unremoved(h, m.group(1).substring(1))) {
                held.add(m.group(1));
                unlisted++;
            }
        }
        String owner = "stack/" + stack;
        Map<String, Long> perService = live.stream().filter(c -> owner.equals(c.getLabels().get(BerthLabels.OWNER)))
                .collect(Collectors.groupingBy(c -> c.getLabels().getOrDefault(BerthLabels.SERVICE, "?"),
                        Collectors.counting()));
        int duplicates = (int) (Math.max(0, perService.getOrDefault("web", 0L) - web)
                + Math.max(0, perService.getOrDefault("api", 0L) - API_REPLICAS)
                + live.stream().filter(c -> c.getNames()[0].contains("-next") && !standsIn(c.getNames()[0], held)).count());
        int orphans = (int) (all.stream().filter(c -> !owner.equals(c.getLabels().get(BerthLabels.OWNER))).count()
                + h.docker.listNetworksCmd().withFilter("label", List.of(BerthLabels.MANAGED_BY + "=" + h.instance))
                .exec().stream().filter(n -> n.getLabels() != null
                        && !owner.equals(n.getLabels().getOrDefault(BerthLabels.OWNER, owner))).count());
        int stuck = (int) live.stream().filter(c -> !"running".equals(c.getState())).count();
        String ready = h.status(stack).flatMap(st -> st.condition("Ready")).map(c -> c.message()).orElse("");
        int unreported = (int) held.stream().filter(n -> !ready.contains(n.substring(1))).count();
        String detail = all.stream().map(c -> c.getNames()[0] + ":" + c.getState()).sorted().toList()
                + (dead.isEmpty() ? "" : " Ready: " + ready);
        return new Audit(duplicates, orphans, stuck, dead.size() + unlisted, unreported, detail);
    }

    /** Whether the container of that name exists and Docker marked it for removal. */
    private static boolean unremoved(TestOperator h, String name) {
        try {
            var state = h.docker.inspectContainerCmd(name).exec().getState();
            return state != null && (Boolean.TRUE.equals(state.getDead()) || "dead".equals(state.getStatus())
                    || "removing".equals(state.getStatus()));
        } catch (RuntimeException e) {
            return false; // none (any more)
        }
    }

    /** Whether a {@code -next} container stands in for a replica whose name a dead container holds. */
    private static boolean standsIn(String name, Set<String> held) {
        java.util.regex.Matcher m = STAND_IN.matcher(name);
        return m.matches() && held.contains(m.group(1));
    }

    /**
     * Ready at the current revision with {@code containers} running and no other container but ones Docker failed to
     * remove (see {@link #audit}; whether the status names them is the audit's to check).
     */
    private static boolean converged(TestOperator h, String stack, int containers) {
        return h.status(stack).map(s -> s.ready() && s.observedRevision() == h.revision(stack)).orElse(false)
                && h.running(stack).size() == containers
                && h.containers(stack).stream().filter(c -> !leftBehind(c)).count() == containers;
    }

    /**
     * A container Docker failed to remove: its list says "removing" (the snapshot taken when the remove began; an
     * inspect says dead) until a restart of dockerd, "dead" after one.
     */
    private static boolean leftBehind(Container c) {
        return "dead".equals(c.getState()) || "removing".equals(c.getState());
    }

    private static void awaitReady(TestOperator h, String stack, int containers) {
        Await.until(WAIT, stack + " Ready with " + containers + " running containers", () -> h.isReady(stack, containers),
                () -> h.describeStatus(stack));
    }

    private static double mutations(TestOperator h) {
        return MUTATING.stream().mapToDouble(op -> h.metric("berth_docker_requests_total", "operation=\"" + op + "\"")).sum();
    }

    @Test
    void dockerdRestartedOrKilledMidApplyReconvergesWithoutDuplicatesOrphansOrStuckContainers() throws Exception {
        Random random = new Random(SEED);
        int restarts = 0;
        int kills = 0;
        int duplicates = 0;
        int orphans = 0;
        int stuck = 0;
        int leftovers = 0;
        int failures = 0;
        long worstMs = 0;
        StringBuilder failed = new StringBuilder();
        try (PrivateDockerd dockerd = new PrivateDockerd()) {
            dockerd.start();
            dockerd.copyImageFrom(TestEnv.dockerHost(), TestEnv.testImage());
            try (TestOperator h = TestOperator.builder().dockerHost(dockerd.host()).build()) {
                h.start();
                String s = h.name("mid");
                h.apply(stack(s, 0, 3));
                awaitReady(h, s, 3 + API_REPLICAS);
                try {
                    for (int round = 1; round <= ROUNDS; round++) {
                        int web = 2 + random.nextInt(3);
                        double before = mutations(h);
                        h.apply(stack(s, round, web));
                        // Mid-apply: once the operator has begun replacing containers, at a random moment of the pass.
                        Await.until(WAIT, "the operator to begin applying revision " + round, () -> mutations(h) > before);
                        Thread.sleep(random.nextInt(1500));
                        boolean kill = random.nextBoolean();
                        if (kill) {
                            dockerd.kill();
                            kills++;
                        } else {
                            dockerd.stop();
                            restarts++;
                        }
                        dockerd.start();
                        long back = System.nanoTime();
                        int want = web + API_REPLICAS;
                        boolean converged = true;
                        try {
                            Await.until(WAIT, s + " converged after dockerd came back", () -> converged(h, s, want),
                                    () -> h.describeStatus(s));
                        } catch (AssertionError e) {
                            converged = false;
                        }
                        worstMs = Math.max(worstMs, Duration.ofNanos(System.nanoTime() - back).toMillis());
                        Audit a = audit(h, s, web);
                        duplicates += a.duplicates();
                        orphans += a.orphans();
                        stuck += a.stuck();
                        leftovers += a.leftovers();
                        if (!converged || !a.clean()) {
                            failures++;
                            failed.append(" round ").append(round).append(kill ? " (SIGKILL)" : " (SIGTERM)")
                                    .append(converged ? "" : " not converged").append(": ").append(a);
                        }
                    }
                } finally {
                    Figures.ofRun().record(new Figure("docker: dockerd restarted/killed mid-apply", restarts + kills,
                            failures, "restarts " + restarts + " / kills " + kills + " / duplicates " + duplicates
                            + " / orphans " + orphans + " / stuck " + stuck + " / not removable by Docker (named in status) "
                            + leftovers + " / slowest convergence " + worstMs
                            + " ms (seed " + SEED + ")"));
                }
            }
        }
        assertEquals(0, failures, "every round converged with nothing duplicated, orphaned or stuck:" + failed);
    }

    @Test
    void eventsMissedWhileTheStreamIsStalledOrCutAreRepairedWithinOneResync() throws Exception {
        // Through a relay in front of the shared dockerd: only the event connections break, every other call works.
        Duration resync = Duration.ofSeconds(4);
        // One resync, plus the 3 s Berth leaves a stopped container to Docker (DockerSteadiness), plus 2 s of work, on
        // an idle host (the figure says how long it took); on a CI host running other lanes a tick can be a resync late
        // (10.8 and 11.3 s seen), so the bound allows a second resync. Missed events never repaired still fail.
        Duration allowed = resync.multipliedBy(2).plusSeconds(5);
        int stalls = 0;
        int cuts = 0;
        int failures = 0;
        long worstMs = 0;
        int duplicates = 0;
        StringBuilder failed = new StringBuilder();
        try (DockerFaultsRelay relay = new DockerFaultsRelay(TestEnv.dockerHost());
             TestOperator h = TestOperator.builder().dockerHost(relay.dockerHost()).resync(resync).build()) {
            h.start();
            String s = h.name("cut");
            h.apply(stack(s, 0, 3));
            int want = 3 + API_REPLICAS;
            awaitReady(h, s, want);
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    Await.until(WAIT, "the operator's two event streams open", () -> relay.eventConnections() == 2);
                    boolean stall = round % 2 == 1;
                    if (stall) {
                        // The operator believes it streams and misses every event: only the resync can see the change.
                        relay.stallEvents();
                        stalls++;
                    } else {
                        double ended = h.metric("berth_docker_event_reconnects_total");
                        relay.cutEvents();
                        Await.until(WAIT, "the operator to see its stream end",
                                () -> h.metric("berth_docker_event_reconnects_total") > ended);
                        cuts++;
                    }
                    List<Container> running = h.running(s);
                    String removed = running.get(0).getId();
                    String stopped = running.get(1).getId();
                    h.docker.removeContainerCmd(removed).withForce(true).exec();
                    h.docker.stopContainerCmd(stopped).withTimeout(1).exec();
                    // From when the change is complete to the operator's first call that repairs it: the resync's
                    // promise, apart from how long Docker then takes to create and start (seconds on a loaded host).
                    long changed = System.nanoTime();
                    double before = mutations(h);
                    boolean noticed = true;
                    try {
                        Await.until(WAIT, "the operator to act on the change", () -> mutations(h) > before);
                    } catch (AssertionError e) {
                        noticed = false;
                    }
                    long countedMs = Duration.ofNanos(System.nanoTime() - changed).toMillis();
                    // The promise is about when the operator acts: its first call as it reached Docker (the relay),
                    // not when the call's answer was counted, which on a busy host can come seconds later.
                    long tookMs = relay.firstChangeRequestSince(changed).stream()
                            .map(t -> Duration.ofNanos(t - changed).toMillis()).findFirst().orElse(countedMs);
                    boolean repaired = true;
                    try {
                        Await.until(WAIT, "the removed and the stopped container replaced", () -> {
                            Set<String> ids = h.containers(s).stream().map(Container::getId).collect(Collectors.toSet());
                            return h.isReady(s, want) && !ids.contains(removed) && !ids.contains(stopped);
                        }, () -> h.describeStatus(s));
                    } catch (AssertionError e) {
                        repaired = false;
                    }
                    worstMs = Math.max(worstMs, tookMs);
                    Audit a = audit(h, s, 3);
                    duplicates += a.duplicates();
                    if (!noticed || !repaired || tookMs > allowed.toMillis() || !a.clean()) {
                        failures++;
                        failed.append(" round ").append(round).append(stall ? " (stalled)" : " (cut)").append(": ")
                                .append(noticed ? "acted after " + tookMs + " ms (its call counted after " + countedMs + " ms)"
                                        : "never acted")
                                .append(repaired ? "" : ", not repaired").append(' ').append(a);
                    }
                    // Back to a live stream for the next round (it replays from its last event).
                    relay.cutEvents();
                    relay.allowEvents();
                }
            } finally {
                Figures.ofRun().record(new Figure("docker: event stream cut", stalls + cuts, failures, "stalled "
                        + stalls + " / closed " + cuts + " / slowest first repair call " + worstMs + " ms (resync "
                        + resync.toMillis() + " ms, allowed " + allowed.toMillis() + ") / duplicates " + duplicates));
            }
        }
        assertEquals(0, failures, "every change made while events were missed was repaired within two resyncs (the"
                + " figure gives the slowest, one resync on an idle host):" + failed);
    }

    /**
     * Defect 8: SIGTERM to dockerd stops every container (its API still answers for a second or two) and then goes
     * away. The operator used to remove the stopped containers and create new ones that failed, and logged
     * docker-java's stack traces. Now: no mutating call from SIGTERM until dockerd is back, Docker restarts the very
     * same containers itself, one warning line and no stack trace.
     */
    @Test
    void aDockerdShuttingDownStopsContainersAndTheOperatorLeavesThemToDocker() throws Exception {
        // Run alone, this test may ask while SLF4J still initialises on another lane's thread (a SubstituteLogger).
        Await.until(WAIT, "logback initialised", () -> LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof Logger);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        int shutdowns = 0;
        int failures = 0;
        double calls = 0;
        int traces = 0;
        int warnings = 0;
        int otherWarnings = 0;
        StringBuilder failed = new StringBuilder();
        try (PrivateDockerd dockerd = new PrivateDockerd()) {
            dockerd.start();
            dockerd.copyImageFrom(TestEnv.dockerHost(), TestEnv.testImage());
            try (TestOperator h = TestOperator.builder().dockerHost(dockerd.host()).resync(Duration.ofSeconds(1)).build()) {
                h.start();
                String s = h.name("sd");
                h.apply(stack(s, 0, 3));
                int want = 3 + API_REPLICAS;
                awaitReady(h, s, want);
                try {
                    for (int round = 1; round <= Math.min(ROUNDS, 2); round++) {
                        shutdowns++;
                        Set<String> before = h.containers(s).stream().map(Container::getId).collect(Collectors.toSet());
                        double mutatedBefore = mutations(h);
                        logs.list.clear();
                        logs.start();
                        root.addAppender(logs);
                        // FuzzTest, in the same JVM, may have turned "dev.berth" down to ERROR: the outage's own
                        // warnings must be seen to be counted.
                        Logger cache = (Logger) LoggerFactory.getLogger("dev.berth.operator.cache");
                        Level cacheLevel = cache.getLevel();
                        cache.setLevel(Level.WARN);
                        try {
                            dockerd.stop();
                            Await.until(WAIT, "/readyz to say Docker is unreachable",
                                    () -> h.http("/readyz").body().contains("[-] docker"));
                            double resyncs = h.metric("berth_resyncs_total");
                            Await.until(WAIT, "two resyncs while dockerd is down",
                                    () -> h.metric("berth_resyncs_total") >= resyncs + 2);
                            dockerd.start();
                        } finally {
                            cache.setLevel(cacheLevel);
                            root.detachAppender(logs);
                        }
                        double during = mutations(h) - mutatedBefore;
                        calls += during;
                        int roundTraces = (int) logs.list.stream().filter(e -> e.getThrowableProxy() != null).count();
                        // The Docker outage's own warnings; other parts (the image puller) may warn of a call they had
                        // begun. The appender sees the whole test JVM, where other lanes' operators run too (their
                        // dockerds may go away as well): a warning is this outage's when it names this dockerd.
                        java.util.function.Predicate<ILoggingEvent> outageVoice = e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                                && e.getLoggerName().startsWith("dev.berth.operator.cache.")
                                && e.getFormattedMessage().contains(dockerd.host());
                        int roundWarnings = (int) logs.list.stream().filter(outageVoice).count();
                        otherWarnings += (int) logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                                && !outageVoice.test(e)).count();
                        traces += roundTraces;
                        warnings += roundWarnings;
                        awaitReady(h, s, want);
                        Set<String> after = h.containers(s).stream().map(Container::getId).collect(Collectors.toSet());
                        if (during > 0 || roundTraces > 0 || !after.equals(before) || roundWarnings > 1) {
                            failures++;
                            failed.append(" round ").append(round).append(": mutating calls ").append(during)
                                    .append(", stack traces ").append(roundTraces).append(", warnings ").append(roundWarnings)
                                    .append(after.equals(before) ? "" : ", containers replaced").append(" ")
                                    .append(logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                                            .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList());
                        }
                    }
                } finally {
                    Figures.ofRun().record(new Figure("docker: dockerd shutdown (defect 8)", shutdowns, failures,
                            "shutdowns " + shutdowns + " / mutating calls while going down " + (int) calls
                            + " / stack traces " + traces + " / outage warnings " + warnings + " (others " + otherWarnings + ")"));
                }
            }
        }
        assertEquals(0, failures, "the operator left the stopping dockerd's containers alone:" + failed);
        assertTrue(shutdowns > 0);
    }
}
