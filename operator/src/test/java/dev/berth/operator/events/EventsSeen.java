package dev.berth.operator.events;

import dev.berth.operator.Await;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What the event tests read back: a stack's events from etcd, oldest first, and a line to show when a wait fails. */
public final class EventsSeen {
    private EventsSeen() {
    }

    public static List<Event> of(TestOperator h, String stack) {
        return new EventReader(h.etcd.kv, h.keys()).list("stack", stack).events().stream()
                .map(EventReader.Listed::event).toList();
    }

    /** The first (oldest) event of the stack with this reason. */
    public static Optional<Event> first(TestOperator h, String stack, String reason) {
        return of(h, stack).stream().filter(e -> e.reason().equals(reason)).findFirst();
    }

    public static String describe(TestOperator h, String stack) {
        StringBuilder text = new StringBuilder();
        of(h, stack).forEach(e -> text.append("\n  ").append(e.lastTimestamp()).append(' ').append(e.type()).append(' ')
                .append(e.reason()).append(" x").append(e.count()).append(' ').append(e.message()));
        return text.toString();
    }

    /**
     * The fixture's client answers its first call only after gRPC warmed up, which on a loaded machine takes longer
     * than the call's timeout (issue 18, fixed for the CLI in StoreSession): warm it up before a test's calls.
     */
    public static void etcdAnswers(TestOperator h, Duration wait) {
        Await.until(wait, "etcd answers the test's client", () -> {
            try {
                h.etcd.kv.get(h.keys().base());
                return true;
            } catch (StoreException e) {
                return false;
            }
        });
    }
}
