package dev.berth.operator.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
class InNetnsOperatorTest {
    @Test
    void anOperatorInsideANamespaceRegistersAndServesMetricsOnItsUnderlay() throws Exception {
        try (OverlayTestBed bed = new OverlayTestBed(1)) {
            OverlayTestBed.Host host = bed.hosts.get(0);
            bed.prepareOperator(host, "nsop" + bed.id);
            bed.startInNetns(host, List.of());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String record = null;
            while (System.nanoTime() < deadline && record == null) {
                record = bed.etcd.kv.get(bed.etcd.keys.host("nsop" + bed.id)).map(v -> v.value()).orElse(null);
                Thread.sleep(200);
            }
            assertTrue(record != null && record.contains("\"underlayIp\":\"" + host.underlayIp + "\""),
                    "host record with the namespace's underlay address: " + record);
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + host.underlayIp + ":9464/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("berth_build_info"), "metrics from inside the namespace");
        }
    }
}
