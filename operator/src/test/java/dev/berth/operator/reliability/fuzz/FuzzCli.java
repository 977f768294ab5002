package dev.berth.operator.reliability.fuzz;

import dev.berth.operator.CliRun;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Runs one in-process {@code berth} command on one input with a timeout and judges its answer. A command that does
 * not answer in time is a hang; its thread is left behind (daemon), as a person would leave a stuck terminal.
 */
public final class FuzzCli implements AutoCloseable {
    /** Exception text or a Java frame anywhere in what the command printed. */
    private static final Pattern CRASH = Pattern.compile("Exception|\\tat [a-z]|Caused by|java\\.lang\\.");
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-cli");
        t.setDaemon(true);
        return t;
    });
    private final Duration timeout;

    public FuzzCli(Duration timeout) {
        this.timeout = timeout;
    }

    /** A command's answer: the verdict (ACCEPTED on exit 0; the oracle is the caller's) and what it printed. */
    public record Answer(FuzzVerdict verdict, String detail) {
    }

    public Answer run(Supplier<CliRun> command, String file) {
        Future<CliRun> future = runner.submit(command::get);
        CliRun run;
        try {
            run = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Answer(FuzzVerdict.HANG, "no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new Answer(FuzzVerdict.CRASH, "threw " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        String printed = run.out() + run.err();
        if (run.exit() != 0 && run.exit() != 1 && run.exit() != 2 || CRASH.matcher(printed).find()) {
            return new Answer(FuzzVerdict.CRASH, "exit " + run.exit() + ": " + printed);
        }
        if (run.exit() == 0) {
            return new Answer(FuzzVerdict.ACCEPTED, run.out());
        }
        boolean located = Pattern.compile("(?m)^" + Pattern.quote(file) + ":\\d+:\\d+: ").matcher(run.err()).find();
        return new Answer(located ? FuzzVerdict.CLEAR_ERROR : FuzzVerdict.ERROR_WITHOUT_LOCATION, run.err());
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
