package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.cache.AssignmentJson;
import dev.berth.operator.it.ReliabilityBed;
import dev.berth.operator.it.RunsOnOwnHosts;
import dev.berth.reconcilers.schedule.Assignment;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's leader SIGKILLed on the three-host bed (an operator process per host, inside its namespace), at a
 * seeded random moment: (a) while a stack with many replicas is being placed and started, and (b) while a lost
 * host's replicas are being moved (its operator killed and its underlay link down). Each time another operator takes
 * the lead and finishes: exactly {@code replicas} running, each replica once in the cluster, none counted on the
 * lost host, and once the lost host is back its stale copies are gone. CI runs 2 rounds (one kill of each kind per
 * round); {@code -Dberth.reliability.leaderKills=N} runs N, {@code -Dberth.reliability.seed=S} replays timings.
 */
@RunsOnOwnHosts
class SchedulerLeaderKillBedTest {
    private static final Duration FIRST_WAIT = Duration.ofSeconds(180);
    /** The scheduler's election lease is 10 s: a new leader comes within it, then places. */
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PLACED = 9;
    private static final int MOVED = 4;
    /** Short, yet long enough that a loaded test machine (seven beds on two cores) keeps its leases. */
    private static final int HOST_TTL = 8;
    private static final int FAILOVER_AFTER = 4;
    private static final int ROUNDS = Integer.getInteger("berth.reliability.leaderKills", 2);
    private static final long SEED = Long.getLong("berth.reliability.seed", 20L);
    private static List<String> options;
    private static ReliabilityBed bed;
    private static PartitionBedChecks checks;

    @BeforeAll
    static void setUp() throws Exception {
        bed = new ReliabilityBed(3);
        options = List.of("--host-ttl", "" + HOST_TTL, "--resync", "5", "--failover-after", "" + FAILOVER_AFTER,
                "--max-backoff", "3", "--probe-interval", "1", "--traefik-root", bed.traefikRoot(),
                "--dns-upstream", bed.rootIp());
        for (int i = 0; i < bed.size(); i++) {
            bed.prepare(i, "lk" + bed.id() + "h" + (i + 1));
            bed.start(i, options);
        }
        checks = new PartitionBedChecks(bed, "none", 0);
        for (int i = 0; i < bed.size(); i++) {
            int host = i;
            Await.until(FIRST_WAIT, name(host) + "'s record in etcd",
                    () -> bed.etcd().kv.get(bed.etcd().keys.host(name(host))).isPresent());
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (bed != null) {
            for (int i = 0; i < bed.size(); i++) {
                ReliabilityBed.run("ip", "-n", bed.netns(i), "link", "set", "ul0", "up");
            }
            bed.close();
        }
    }

    /** What went wrong after one kill, counted for the figure. */
    private record Outcome(int duplicates, int onDeadHost, boolean finished) {
    }

    @Test
    void aKilledSchedulerLeaderIsReplacedAndTheNewOneFinishesPlacementAndFailover() throws Exception {
        Random random = new Random(SEED);
        System.out.printf("scheduler leader kill: seed %d (-Dberth.reliability.seed to replay)%n", SEED);
        List<Outcome> outcomes = new ArrayList<>();
        int failures = 0;
        AssertionError first = null;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                for (boolean failover : List.of(false, true)) {
                    String stack = "lk" + bed.id() + "-" + (failover ? "f" : "p") + round;
                    try {
                        Outcome outcome = failover ? duringFailover(stack, random) : duringPlacement(stack, random);
                        outcomes.add(outcome);
                        if (!outcome.finished() || outcome.duplicates() > 0 || outcome.onDeadHost() > 0) {
                            failures++;
                            first = first == null ? new AssertionError(stack + ": " + outcome) : first;
                        }
                    } catch (AssertionError e) {
                        failures++;
                        outcomes.add(new Outcome(0, 0, false));
                        first = first == null ? e : first;
                    } finally {
                        restoreAll();
                        bed.harness(0).delete(stack);
                        // A restarted operator's JVM starts slowly on a loaded machine: the first wait.
                        Await.until(FIRST_WAIT, stack + " gone from every host", () -> all(stack) == 0);
                    }
                }
            }
        } finally {
            int duplicates = outcomes.stream().mapToInt(Outcome::duplicates).sum();
            int onDead = outcomes.stream().mapToInt(Outcome::onDeadHost).sum();
            long unfinished = outcomes.stream().filter(o -> !o.finished()).count();
            Figures.ofRun().record(new Figure("scheduler leader kill (bed)", outcomes.size(), failures, "leader kills "
                    + outcomes.size() + " (" + ROUNDS + " during placement of " + PLACED + " replicas, " + ROUNDS
                    + " during failover of " + MOVED + ") / not finished " + unfinished + " / duplicates " + duplicates
                    + " / counted on the dead host " + onDead + " / seed " + SEED));
        }
        if (first != null) {
            throw first;
        }
        assertEquals(0, outcomes.stream().mapToInt(Outcome::duplicates).sum(), "duplicates");
        assertEquals(0, outcomes.stream().mapToInt(Outcome::onDeadHost).sum(), "replicas on the dead host");
    }

    /** (a) Applies a stack of {@link #PLACED} replicas and kills the leader 0-1.5 s later. */
    private Outcome duringPlacement(String stack, Random random) throws Exception {
        int leader = leader();
        long delay = random.nextInt(1500);
        bed.harness(0).apply(StackYaml.stack(stack).replicas(PLACED).command("sleep", "3600").yaml());
        Thread.sleep(delay); // the seeded moment of the kill, not a wait for a condition
        bed.kill(leader);
        System.out.printf("scheduler leader kill: %s killed %d ms into the placement of %s%n", name(leader), delay, stack);
        awaitNewLeader(leader);
        bed.start(leader, options);
        return awaitOnce(stack, PLACED, i -> true, FIRST_WAIT);
    }

    /**
     * (b) Runs {@link #MOVED} replicas, loses a host that is not the leader (operator killed, link down), and kills the
     * leader at a moment between its lease expiring and a few seconds after the failover time; then brings both back.
     */
    private Outcome duringFailover(String stack, Random random) throws Exception {
        bed.harness(0).apply(StackYaml.stack(stack).replicas(MOVED).command("sleep", "3600").yaml());
        awaitOnce(stack, MOVED, i -> true);
        int leader = leader();
        int lost = IntStream.range(0, bed.size()).filter(i -> i != leader)
                .boxed().max((a, b) -> Integer.compare(bed.harness(a).running(stack).size(),
                        bed.harness(b).running(stack).size())).orElseThrow();
        long delay = (HOST_TTL * 1000L) + random.nextInt((FAILOVER_AFTER + 3) * 1000);
        bed.kill(lost);
        ReliabilityBed.run("ip", "-n", bed.netns(lost), "link", "set", "ul0", "down");
        Thread.sleep(delay); // the seeded moment of the kill, not a wait for a condition
        bed.kill(leader);
        System.out.printf("scheduler leader kill: %s lost, leader %s killed %d ms later (failover of %s)%n", name(lost),
                name(leader), delay, stack);
        awaitNewLeader(leader);
        bed.start(leader, options);
        Outcome outcome = awaitOnce(stack, MOVED, i -> i != lost);
        int assignedToLost = (int) assigned(stack).stream().filter(a -> a.host().equals(name(lost))).count();
        if (!outcome.finished()) {
            return new Outcome(outcome.duplicates(), outcome.onDeadHost() + assignedToLost, false);
        }
        // The lost host back: its stale copies go once its operator reads the assignment, so each replica runs once.
        restoreAll();
        Outcome healed = awaitOnce(stack, MOVED, i -> true, FIRST_WAIT);
        return new Outcome(healed.duplicates(), assignedToLost, healed.finished());
    }

    /** Every host's link up and operator running; a lost host's stale replicas removed (awaited by the caller). */
    private static void restoreAll() throws IOException {
        for (int i = 0; i < bed.size(); i++) {
            ReliabilityBed.run("ip", "-n", bed.netns(i), "link", "set", "ul0", "up");
            if (!bed.running(i)) {
                bed.start(i, options);
            }
        }
    }

    private static void awaitNewLeader(int killed) {
        Await.until(WAIT, "another operator leads the scheduler",
                () -> checks.schedulerLeader().filter(l -> !l.equals(name(killed))).isPresent(),
                () -> "leader " + checks.schedulerLeader());
    }

    /**
     * Waits until the stack's replicas 1..n each run once on the counted hosts and nothing else of it exists there,
     * and the assignment names only counted hosts; on a timeout it counts what it saw.
     */
    private static Outcome awaitOnce(String stack, int replicas, IntPredicate counted) {
        return awaitOnce(stack, replicas, counted, WAIT);
    }

    private static Outcome awaitOnce(String stack, int replicas, IntPredicate counted, Duration wait) {
        List<String> expected = IntStream.rangeClosed(1, replicas).mapToObj(n -> stack + "-web-" + n).toList();
        try {
            Await.until(wait, stack + ": " + expected + " running, each once", () -> {
                List<String> names = names(stack, counted, true);
                return names.equals(expected) && names(stack, counted, false).size() == replicas
                        && assigned(stack).size() == replicas
                        && assigned(stack).stream().allMatch(a -> counted.test(index(a.host())));
            }, () -> byHost(stack) + " assigned " + assigned(stack));
            return new Outcome(0, 0, true);
        } catch (AssertionError e) {
            List<String> names = names(stack, counted, false);
            int duplicates = names.size() - (int) names.stream().distinct().count();
            int onDead = (int) assigned(stack).stream().filter(a -> !counted.test(index(a.host()))).count();
            System.out.printf("scheduler leader kill: %s not finished: %s%n", stack, e.getMessage());
            return new Outcome(duplicates, onDead, false);
        }
    }

    private static List<String> names(String stack, IntPredicate counted, boolean runningOnly) {
        return IntStream.range(0, bed.size()).filter(counted).boxed()
                .flatMap(i -> (runningOnly ? bed.harness(i).running(stack) : bed.harness(i).containers(stack)).stream())
                .map(c -> c.getNames()[0].substring(1)).sorted().toList();
    }

    private static int all(String stack) {
        return IntStream.range(0, bed.size()).map(i -> bed.harness(i).containers(stack).size()).sum();
    }

    private static Map<String, List<String>> byHost(String stack) {
        Map<String, List<String>> m = new TreeMap<>();
        for (int i = 0; i < bed.size(); i++) {
            m.put(name(i), bed.harness(i).containers(stack).stream().map(c -> c.getNames()[0].substring(1) + ":"
                    + c.getState()).toList());
        }
        return m;
    }

    private static List<Assignment> assigned(String stack) {
        return bed.etcd().kv.get(bed.etcd().keys.assignment(stack)).flatMap(v -> new AssignmentJson().read(v.value()))
                .map(a -> a.assignments()).orElse(List.of());
    }

    private static int leader() {
        Await.until(WAIT, "a scheduler leader", () -> checks.schedulerLeader().isPresent());
        return index(checks.schedulerLeader().orElseThrow());
    }

    private static int index(String host) {
        return IntStream.range(0, bed.size()).filter(i -> name(i).equals(host)).findFirst().orElse(-1);
    }

    private static String name(int host) {
        return bed.harness(host).host;
    }
}
