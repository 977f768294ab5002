package dev.berth.operator.overlay;

import dev.berth.reconcilers.link.FdbEntry;
import dev.berth.reconcilers.link.KernelEvent;
import dev.berth.reconcilers.link.LinkAction;
import dev.berth.reconcilers.link.LinkDriver;
import dev.berth.reconcilers.link.LinkState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tells the kernel's notification of an FDB change Berth just made from anybody else's. Each FDB action is expected
 * back once, for a short while, before it is run; the kernel watch drops what was expected. Without this a thousand
 * peers arriving fed the watch a thousand echoes, and each window of them a full pass of the Network (Docker,
 * etcd and three kernel reads) between the passes that program the peers (issue 21: FDB latency). A change by
 * somebody else, or the same entry changed the other way, is never expected and still gets its full pass.
 */
final class OwnFdbChanges implements LinkDriver {
    /** Longer than a batch takes to be heard back; an action that failed is not expected past it. */
    static final Duration EXPECTED_FOR = Duration.ofSeconds(10);

    private record Echo(FdbEntry entry, boolean deleted) {
    }

    private final LinkDriver links;
    private final LongSupplier nanoTime;
    /** Each expected echo with when it stops being expected (System.nanoTime()). */
    private final Map<Echo, Long> expected = new ConcurrentHashMap<>();

    OwnFdbChanges(LinkDriver links) {
        this(links, System::nanoTime);
    }

    OwnFdbChanges(LinkDriver links, LongSupplier nanoTime) {
        this.links = links;
        this.nanoTime = nanoTime;
    }

    @Override
    public LinkState read() {
        return links.read();
    }

    @Override
    public void apply(List<LinkAction> actions) {
        long now = nanoTime.getAsLong();
        expected.values().removeIf(until -> until - now < 0);
        long until = now + EXPECTED_FOR.toNanos();
        List<Echo> mine = actions.stream().map(OwnFdbChanges::echoOf).filter(java.util.Objects::nonNull).toList();
        mine.forEach(e -> expected.put(e, until));
        try {
            links.apply(actions);
        } catch (RuntimeException e) {
            // Which of them ran is not known here: none is expected, so what is heard gets its full pass.
            mine.forEach(expected::remove);
            throw e;
        }
    }

    private static Echo echoOf(LinkAction action) {
        if (action instanceof LinkAction.AppendFdb a) {
            return new Echo(a.entry(), false);
        }
        if (action instanceof LinkAction.ReplaceFdb r) {
            return new Echo(r.entry(), false);
        }
        if (action instanceof LinkAction.DeleteFdb d) {
            return new Echo(d.entry(), true);
        }
        return null;
    }

    /** Whether the event is the echo of an FDB change Berth made: true once per change. */
    boolean echo(KernelEvent event) {
        if (event.kind() != KernelEvent.Kind.FDB || event.fdb().isEmpty()) {
            return false;
        }
        Long until = expected.remove(new Echo(event.fdb().get(), event.deleted()));
        return until != null && until - nanoTime.getAsLong() >= 0;
    }
}
