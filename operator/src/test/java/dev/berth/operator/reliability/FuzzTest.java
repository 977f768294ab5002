package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.crds.Kinds;
import dev.berth.crds.Resource;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.reliability.fuzz.FuzzCli;
import dev.berth.operator.reliability.fuzz.FuzzGenerator;
import dev.berth.operator.reliability.fuzz.FuzzInput;
import dev.berth.operator.reliability.fuzz.FuzzOracle;
import dev.berth.operator.reliability.fuzz.FuzzSeeds;
import dev.berth.operator.reliability.fuzz.FuzzTally;
import dev.berth.operator.reliability.fuzz.FuzzVerdict;
import dev.berth.operator.store.StoredValue;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Fuzzed input (issue 20, part 2): mutations of valid manifests of every kind through {@code berth validate},
 * {@code berth apply} against a real etcd, and straight into etcd under a running operator. Goal: 0 crashes, 0
 * hangs, nothing else changed. Counts: {@code -Dberth.reliability.fuzz=N} inputs (CI 1000), {@code
 * -Dberth.reliability.seed=S}; every input is reproduced from the seed and its number ({@link FuzzGenerator}).
 */
@RunsInTheFaultLane
class FuzzTest {
    private static final int INPUTS = Integer.getInteger("berth.reliability.fuzz", 1000);
    private static final long SEED = Long.getLong("berth.reliability.seed", 20L);
    /** Puts per batch under the operator: the operator is checked once per batch (see docs/reliability.md). */
    private static final int BATCH = 100;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(90);
    private static final Kinds KINDS = Kinds.standard();

    @TempDir
    Path dir;

    private final FuzzOracle oracle = new FuzzOracle();

    @Test
    void fuzzedInputNeverCrashesHangsOrChangesAnythingElse() throws Exception {
        FuzzGenerator generator = new FuzzGenerator(SEED, FuzzSeeds.all());
        List<FuzzInput> inputs = IntStream.range(0, INPUTS).mapToObj(n -> generator.input(n, "fz" + n)).toList();
        FuzzTally validate = new FuzzTally();
        FuzzTally apply = new FuzzTally();
        FuzzTally operator = new FuzzTally();
        Map<Integer, Boolean> valid = new HashMap<>();
        StringBuilder took = new StringBuilder();
        try (FuzzCli cli = new FuzzCli(CALL_TIMEOUT)) {
            long start = System.nanoTime();
            for (FuzzInput input : inputs) {
                valid.put(input.number(), validate(cli, input, validate));
            }
            took.append("validate ").append(seconds(start)).append(" s, ");
            start = System.nanoTime();
            try (EtcdFixture etcd = new EtcdFixture()) {
                applyAll(cli, etcd, inputs, apply);
            }
            took.append("apply ").append(seconds(start)).append(" s, ");
            start = System.nanoTime();
            try (TestOperator running = TestOperator.builder().build()) {
                running.start();
                underOperator(running, inputs, valid, operator);
            }
            took.append("operator ").append(seconds(start)).append(" s");
        } finally {
            List<FuzzTally> all = List.of(validate, apply, operator);
            int wrong = all.stream().mapToInt(t -> t.count(FuzzVerdict.WRONGLY_ACCEPTED)).sum();
            int crashes = all.stream().mapToInt(t -> t.count(FuzzVerdict.CRASH)).sum();
            int hangs = all.stream().mapToInt(t -> t.count(FuzzVerdict.HANG)).sum();
            int changed = all.stream().mapToInt(FuzzTally::changed).sum();
            Figures.ofRun().record(new Figure("fuzzed input", INPUTS, crashes + hangs + changed,
                    "inputs " + INPUTS + " (seed " + SEED + "; validate, apply, etcd+operator each) / clear errors "
                            + validate.errors() + " (line:col " + validate.count(FuzzVerdict.CLEAR_ERROR)
                            + ") / wrongly accepted " + wrong + " / crashes " + crashes + " / hangs " + hangs
                            + " / others changed " + changed));
            System.out.println("fuzz took: " + took + "\nfuzz validate:\n" + validate.examples() + "fuzz apply:\n" + apply.examples()
                    + "fuzz operator:\n" + operator.examples());
        }
        for (FuzzTally t : List.of(validate, apply, operator)) {
            assertEquals(0, t.count(FuzzVerdict.CRASH) + t.count(FuzzVerdict.HANG) + t.changed(), t.examples());
        }
    }

    private static long seconds(long since) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
    }

    /** The keys whose value or revision differ, each side shortened: what a "changed" finding prints. */
    private static String diff(Map<String, String> before, Map<String, String> after) {
        StringBuilder out = new StringBuilder();
        java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            String a = before.get(key);
            String b = after.get(key);
            if (!java.util.Objects.equals(a, b)) {
                out.append(key).append(": ").append(shorten(a)).append(" -> ").append(shorten(b)).append("; ");
            }
        }
        return out.toString();
    }

    private static String shorten(String value) {
        return value == null ? "(none)" : value.length() > 160 ? "..." + value.substring(value.length() - 160) : value;
    }

    /** @return whether validate accepted the input */
    private boolean validate(FuzzCli cli, FuzzInput input, FuzzTally tally) throws IOException {
        String file = write(input);
        FuzzCli.Answer answer = cli.run(() -> CliRun.raw("validate", "-f", file), file);
        if (answer.verdict() != FuzzVerdict.ACCEPTED) {
            tally.add("validate", input, answer.verdict(), answer.detail());
            return false;
        }
        Optional<String> problem = oracle.roundTripProblem(input);
        tally.add("validate", input, problem.isPresent() ? FuzzVerdict.WRONGLY_ACCEPTED : FuzzVerdict.ACCEPTED,
                problem.orElse(""));
        return true;
    }

    /**
     * Every input through {@code berth apply} on a prefix holding a sentinel of every kind that apply can write
     * without a key: after each input the sentinels are exactly as before, and no key but the input's own appeared.
     */
    private void applyAll(FuzzCli cli, EtcdFixture etcd, List<FuzzInput> inputs, FuzzTally tally) throws Exception {
        for (FuzzSeeds.Seed seed : FuzzSeeds.all()) {
            String file = dir.resolve("sentinel.yaml").toString();
            Files.writeString(dir.resolve("sentinel.yaml"), seed.with("sentinel-" + seed.kind().toLowerCase()));
            assertEquals(0, etcd.cli("apply", "-f", file).exit(), "sentinel " + seed.kind());
        }
        Map<String, String> before = etcd.snapshot();
        for (FuzzInput input : inputs) {
            String file = write(input);
            FuzzCli.Answer answer = cli.run(() -> etcd.cli("apply", "-f", file), file);
            List<Resource> objects = answer.verdict() == FuzzVerdict.ACCEPTED ? oracle.objects(input) : List.of();
            Optional<String> problem = Optional.empty();
            for (Resource object : objects) {
                String key = etcd.keys.desired(object.kind().singular(), object.metadata().name());
                problem = problem.or(() -> oracle.roundTripProblem(object, rawGet(etcd, key)));
            }
            tally.add("apply", input, problem.isPresent() ? FuzzVerdict.WRONGLY_ACCEPTED : answer.verdict(),
                    problem.orElse(answer.detail()));
            Set<String> own = objects.stream().map(r -> r.metadata().name()).collect(Collectors.toSet());
            Map<String, String> after = etcd.snapshot();
            for (Map.Entry<String, String> e : after.entrySet()) {
                boolean wasThere = e.getValue().equals(before.get(e.getKey()));
                if (!wasThere && !ownKey(e.getKey(), own)) {
                    tally.changed("apply " + input, e.getKey() + " = " + e.getValue());
                }
                if (!before.containsKey(e.getKey())) {
                    etcd.kv.delete(e.getKey());
                }
            }
            before.keySet().stream().filter(k -> !after.containsKey(k))
                    .forEach(k -> tally.changed("apply " + input, k + " deleted"));
        }
    }

    private static boolean ownKey(String key, Set<String> names) {
        for (String segment : key.split("/")) {
            if (names.contains(segment)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The inputs' raw bytes put at their keys under a running operator, {@link #BATCH} at a time. Per batch: every
     * Stack that validate refused must get an InvalidSpec status (one the operator runs instead is wrongly
     * accepted); then the sentinel stack's keys and containers are as before, and the operator logged no error.
     */
    private void underOperator(TestOperator op, List<FuzzInput> inputs, Map<Integer, Boolean> valid, FuzzTally tally)
            throws Exception {
        String sentinel = op.name("sentinel");
        op.apply(StackYaml.stack(sentinel).yaml());
        op.awaitReady(sentinel, 1);
        // Ready comes before the operator's last writes about it (its backends list, written once the container runs,
        // and its replica rows past "creating"): the baseline is taken once those are in, or every batch would
        // "change" it.
        dev.berth.operator.Await.until(Duration.ofSeconds(60), sentinel + "'s backends and status settled", () -> {
            Map<String, String> keys = sentinelKeys(op, sentinel);
            return keys.entrySet().stream().anyMatch(e -> e.getKey().startsWith(op.keys().base() + "backends/")
                    && e.getValue().contains("\"state\":\"running\""))
                    && keys.entrySet().stream().noneMatch(e -> e.getKey().startsWith(op.keys().statusRoot())
                    && e.getValue().contains("\"creating\""));
        }, () -> sentinelKeys(op, sentinel).toString());
        Map<String, String> keysBefore = sentinelKeys(op, sentinel);
        String containersBefore = containers(op, sentinel);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        // Only errors count here; a warning per refused input (thousands, echoing field names of hostile input) would
        // flood the build's output.
        Logger berth = (Logger) LoggerFactory.getLogger("dev.berth");
        Level level = berth.getLevel();
        berth.setLevel(Level.ERROR);
        try {
            for (int from = 0; from < inputs.size(); from += BATCH) {
                List<FuzzInput> batch = inputs.subList(from, Math.min(inputs.size(), from + BATCH));
                for (FuzzInput input : batch) {
                    rawPut(op.etcd, key(op, input), input.bytes());
                }
                judgeBatch(op, batch, valid, tally);
                for (FuzzInput input : batch) {
                    op.etcd.kv.delete(key(op, input));
                }
                Map<String, String> keysNow = sentinelKeys(op, sentinel);
                if (!keysNow.equals(keysBefore)) {
                    tally.changed("operator batch " + from, diff(keysBefore, keysNow));
                }
                String containersNow = containers(op, sentinel);
                if (!containersNow.equals(containersBefore)) {
                    tally.changed("operator batch " + from, containersBefore + " -> " + containersNow);
                }
                List<ILoggingEvent> errors;
                synchronized (logs) {
                    errors = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).toList();
                    logs.list.clear();
                }
                for (ILoggingEvent e : errors) {
                    tally.add("operator", batch.get(0), FuzzVerdict.CRASH, "batch " + from + " logged "
                            + e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                            : " " + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage()));
                }
            }
        } finally {
            berth.setLevel(level);
            root.detachAppender(logs);
        }
    }

    private void judgeBatch(TestOperator op, List<FuzzInput> batch, Map<Integer, Boolean> valid, FuzzTally tally) {
        List<FuzzInput> stacks = batch.stream().filter(i -> i.kind().equals("Stack")).toList();
        long deadline = System.nanoTime() + BATCH_TIMEOUT.toNanos();
        List<FuzzInput> waiting = new ArrayList<>(stacks.stream().filter(i -> !valid.get(i.number())).toList());
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            waiting.removeIf(i -> invalidSpec(op, i).isPresent());
            pause();
        }
        for (FuzzInput input : stacks) {
            Optional<String> invalid = invalidSpec(op, input);
            if (!valid.get(input.number())) {
                tally.add("operator", input, invalid.isPresent() ? verdictOf(invalid.get())
                        : FuzzVerdict.WRONGLY_ACCEPTED, invalid.orElse("validate refused it, the operator did not"));
            } else {
                tally.add("operator", input, FuzzVerdict.ACCEPTED, "");
            }
        }
        batch.stream().filter(i -> !i.kind().equals("Stack"))
                .forEach(i -> tally.add("operator", i, FuzzVerdict.ACCEPTED, "judged by the operator's log only"));
    }

    /** The poll interval of the batch's deadline loop (as {@link dev.berth.operator.Await} polls). */
    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static FuzzVerdict verdictOf(String message) {
        return message.matches("(?s).*:\\d+:\\d+: .*") ? FuzzVerdict.CLEAR_ERROR : FuzzVerdict.ERROR_WITHOUT_LOCATION;
    }

    private static Optional<String> invalidSpec(TestOperator op, FuzzInput input) {
        return op.etcd.kv.get(op.keys().status("stack", input.name(), op.host))
                .flatMap(v -> new dev.berth.operator.store.StatusCodec().read(v.value()))
                .flatMap(s -> s.condition("Degraded"))
                .filter(c -> c.reason().equals("InvalidSpec"))
                .map(c -> c.message());
    }

    private static String key(TestOperator op, FuzzInput input) {
        return op.keys().desired(KINDS.byKind(input.kind()).orElseThrow().singular(), input.name());
    }

    private static Map<String, String> sentinelKeys(TestOperator op, String sentinel) {
        Map<String, String> keys = new TreeMap<>();
        for (StoredValue v : op.etcd.kv.list(op.keys().base()).values()) {
            if (List.of(v.key().split("/")).contains(sentinel) && !v.key().startsWith(op.keys().eventsPrefix())) {
                keys.put(v.key(), v.value() + "@" + v.modRevision());
            }
        }
        return keys;
    }

    private static String containers(TestOperator op, String stack) {
        return op.containers(stack).stream().map(c -> c.getId() + ":" + c.getState()).sorted()
                .collect(Collectors.joining(","));
    }

    private String write(FuzzInput input) throws IOException {
        Path file = dir.resolve("input.yaml");
        Files.write(file, input.bytes());
        return file.toString();
    }

    private static byte[] rawGet(EtcdFixture etcd, String key) {
        try {
            List<KeyValue> kvs = etcd.client.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS).getKvs();
            return kvs.isEmpty() ? new byte[0] : kvs.get(0).getValue().getBytes();
        } catch (Exception e) {
            throw new IllegalStateException("get " + key, e);
        }
    }

    private static void rawPut(EtcdFixture etcd, String key, byte[] value) throws Exception {
        etcd.client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
                .get(10, TimeUnit.SECONDS);
    }
}
