package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import dev.berth.operator.store.StoredValue;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An idle operator does not list etcd at each resync (issue 21: idle etcd requests): its informers resync from the
 * watch-fed cache after the watch answered a progress request, and the host-list publishers read what this host
 * published from those caches. A list deleted by hand is still published again at the next resync.
 */
class IdleEtcdTest {
    private static final Duration RESYNC = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    final TestOperator h = TestOperator.builder().resync(RESYNC).build();

    @Test
    void resyncsListNothingAndAHandDeletedBackendListIsPublishedAgain() throws Exception {
        String s = h.name("idle");
        h.apply(StackYaml.stack(s).yaml());
        h.awaitReady(s, 1);
        String backends = h.keys().base() + "backends/" + s + "/";
        Await.until(WAIT, "this host's backend list of the stack published", () -> !list(backends).isEmpty());

        double lists = h.metric("berth_etcd_requests_total", "operation=\"list\"");
        double progress = progressRequests();
        Await.until(WAIT, "three resyncs asked the stack watch for progress", () -> progressRequests() >= progress + 3);
        assertEquals(lists, h.metric("berth_etcd_requests_total", "operation=\"list\""),
                "etcd lists during three idle resyncs");
        assertEquals(0.0, h.metric("berth_etcd_watch_silent_total"), "watches taken for dead");

        String key = list(backends).get(0).key();
        h.etcd.kv.delete(key);
        Await.until(WAIT, "the backend list deleted by hand published again at a resync", () -> h.etcd.kv.get(key).isPresent());
    }

    private double progressRequests() {
        return h.metric("berth_etcd_watch_progress_requests_total", "kind=\"stack\"");
    }

    private List<StoredValue> list(String prefix) {
        return h.etcd.kv.list(prefix).values();
    }
}
