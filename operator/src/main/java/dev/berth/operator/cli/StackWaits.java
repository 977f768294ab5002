package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.waiting.StackSnapshots;
import dev.berth.operator.waiting.StackWaiter;
import dev.berth.operator.waiting.Verdict;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Waits for stacks one after the other under one deadline (wait, rollout status, apply --wait), shows the progress
 * and ends each with one line: {@code stack/NAME is Ready} on stdout; {@code stack/NAME failed: <Reason>: <message>},
 * a deletion or {@code timed out after 5m waiting for stack/NAME: <reason>} on stderr. A stack still waited for when
 * the deadline passed is read once more, so one that is Ready by then says so.
 */
final class StackWaits {
    static final int READY = 0;
    static final int NOT_READY = 1;
    /** etcd could not be read: not an answer about the stack (picocli's usage errors are 2 as well). */
    static final int ERROR = 2;

    private StackWaits() {
    }

    /** @return the exit code: 0 all Ready, 1 any failed, deleted or timed out, 2 etcd or configuration errors */
    static int run(List<String> stacks, EtcdOptions etcd, WaitOptions options, PrintWriter out, PrintWriter err) {
        long deadline = System.nanoTime() + options.timeout.toNanos();
        int exit = READY;
        try (StoreSession session = new StoreSession(etcd, Kinds.standard())) {
            StackWaiter waiter = new StackWaiter(session.kv(), new StackSnapshots(session.store(), session.kv()));
            for (String stack : stacks) {
                exit = Math.max(exit, one(waiter, stack, deadline, options, out, err));
            }
        } catch (StoreException | CliException e) {
            // etcd unreachable, a bad endpoint or password file: no answer about the stack, so never 1 (not Ready)
            err.println("error: " + e.getMessage());
            exit = ERROR;
        } catch (RuntimeException e) {
            // unexpected, but still not an answer about the stack: one line, not a trace in the middle of the progress
            err.println("error: " + e);
            exit = ERROR;
        }
        out.flush();
        err.flush();
        return exit;
    }

    private static int one(StackWaiter waiter, String stack, long deadline, WaitOptions options, PrintWriter out,
                           PrintWriter err) {
        boolean live = options.live();
        Consumer<Verdict> display = live ? new LiveProgress(out, stack) : new PlainProgress(out, stack);
        boolean[] existed = {false};
        StackWaiter.Outcome outcome = waiter.await(stack, deadline, live ? Duration.ofSeconds(1) : null, verdict -> {
            existed[0] |= verdict.state() != Verdict.State.GONE;
            display.accept(verdict);
        });
        Verdict v = outcome.verdict();
        out.flush();
        if (outcome.timedOut()) {
            err.println("timed out after " + WaitOptions.format(options.timeout) + " waiting for stack/" + stack + ": "
                    + v.reason());
            return NOT_READY;
        }
        switch (v.state()) {
            case READY -> {
                out.println("stack/" + stack + " is Ready");
                return READY;
            }
            case GONE -> err.println(existed[0] ? "stack/" + stack + " was deleted while waiting for it"
                    : "stack/" + stack + " not found");
            default -> err.println("stack/" + stack + " failed: " + v.reason() + ": " + v.message());
        }
        return NOT_READY;
    }
}
