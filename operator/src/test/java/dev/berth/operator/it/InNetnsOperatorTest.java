package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.store.StoreException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bed's second way to run an operator: inside the host's namespace, as on a real host. It registers its host
 * through the etcd relay, finds its underlay without --netns, and serves metrics on its underlay address.
 */
@RunsOnOwnHosts
class InNetnsOperatorTest {
    /** A fresh JVM (this one and the operator's) on a loaded machine: the first etcd calls may take long. */
    private static final Duration FIRST_WAIT = Duration.ofSeconds(180);

    @Test
    void anOperatorInsideANamespaceRegistersAndServesMetricsOnItsUnderlay() throws Exception {
        try (OverlayTestBed bed = new OverlayTestBed(1)) {
            OverlayTestBed.Host host = bed.hosts.get(0);
            bed.prepareOperator(host, "nsop" + bed.id);
            bed.startInNetns(host, List.of());
            long deadline = System.nanoTime() + FIRST_WAIT.toNanos();
            String record = null;
            StoreException lastError = null;
            while (System.nanoTime() < deadline && record == null) {
                try {
                    record = bed.etcd.kv.get(bed.etcd.keys.host("nsop" + bed.id)).map(v -> v.value()).orElse(null);
                    lastError = null;
                } catch (StoreException e) {
                    // A read that timed out under load is no answer yet: ask again until the deadline.
                    lastError = e;
                }
                if (record == null) {
                    Thread.sleep(200);
                }
            }
            assertTrue(record != null && record.contains("\"underlayIp\":\"" + host.underlayIp + "\""),
                    "host record with the namespace's underlay address: " + record
                            + (lastError == null ? "" : "; last etcd error: " + lastError));
            String metrics = "";
            IOException lastFetch = null;
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://" + host.underlayIp + ":9464/metrics");
            while (System.nanoTime() < deadline && !metrics.contains("berth_build_info")) {
                try {
                    metrics = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                } catch (IOException e) {
                    lastFetch = e;
                }
                if (!metrics.contains("berth_build_info")) {
                    Thread.sleep(200);
                }
            }
            assertTrue(metrics.contains("berth_build_info"), "metrics from inside the namespace"
                    + (lastFetch == null ? "" : "; last error: " + lastFetch));
        }
    }
}
