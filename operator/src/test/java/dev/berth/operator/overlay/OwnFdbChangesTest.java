package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.reconcilers.link.FdbEntry;
import dev.berth.reconcilers.link.KernelEvent;
import dev.berth.reconcilers.link.LinkAction;
import dev.berth.reconcilers.link.LinkDriver;
import dev.berth.reconcilers.link.LinkState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Pure: which kernel FDB notifications are the echo of Berth's own change (the kernel side is KernelRepairTest's). */
class OwnFdbChangesTest {
    private final List<LinkAction> applied = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final OwnFdbChanges own = new OwnFdbChanges(new LinkDriver() {
        @Override
        public LinkState read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void apply(List<LinkAction> actions) {
            applied.addAll(actions);
        }
    }, now::get);

    private static KernelEvent fdb(String mac, String dst, boolean deleted) {
        return new KernelEvent(KernelEvent.Kind.FDB, "bv7", deleted, Optional.of(new FdbEntry(mac, "bv7", dst)));
    }

    @Test
    void eachChangeIsItsOwnEchoOnceAndNothingElseIs() {
        FdbEntry flood = FdbEntry.flood("bv7", "10.0.0.2");
        FdbEntry container = new FdbEntry("02:42:0a:00:00:05", "bv7", "10.0.0.3");
        own.apply(List.of(new LinkAction.AppendFdb(flood), new LinkAction.ReplaceFdb(container),
                new LinkAction.DeleteFdb(FdbEntry.flood("bv7", "10.0.0.4"))));
        assertEquals(3, applied.size(), "every action still runs");

        assertFalse(own.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.2", true)), "a deletion of what was appended is not ours");
        assertTrue(own.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.2", false)));
        assertFalse(own.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.2", false)), "heard once; the second is somebody's");
        assertTrue(own.echo(fdb("02:42:0A:00:00:05", "10.0.0.3", false)), "the kernel's case does not matter");
        assertTrue(own.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.4", true)));
        assertFalse(own.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.9", false)), "never written by Berth");
        assertFalse(own.echo(new KernelEvent(KernelEvent.Kind.LINK, "bv7", false)), "links are never echoes here");
        assertFalse(own.echo(new KernelEvent(KernelEvent.Kind.FDB, "bv7", false)), "an entry not named");
    }

    @Test
    void aBatchThatFailedExpectsNoEcho() {
        OwnFdbChanges failing = new OwnFdbChanges(new LinkDriver() {
            @Override
            public LinkState read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void apply(List<LinkAction> actions) {
                throw new dev.berth.reconcilers.link.LinkDriverException("bridge -batch timed out");
            }
        }, now::get);
        try {
            failing.apply(List.of(new LinkAction.AppendFdb(FdbEntry.flood("bv7", "10.0.0.2"))));
        } catch (dev.berth.reconcilers.link.LinkDriverException expected) {
            // which of its actions ran is unknown: whatever the kernel says of them gets its full pass
        }
        assertFalse(failing.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.2", false)));
    }

    @Test
    void anEchoNotHeardInTimeIsNoLongerExpected() {
        own.apply(List.of(new LinkAction.AppendFdb(FdbEntry.flood("bv7", "10.0.0.2"))));
        now.addAndGet(OwnFdbChanges.EXPECTED_FOR.toNanos() + 1);
        assertFalse(own.echo(fdb(FdbEntry.FLOOD_MAC, "10.0.0.2", false)));
    }
}
