package dev.berth.operator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.EtcdFixture;
import dev.berth.operator.PrivateEtcd;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Many keys read at once ({@link EtcdKv#getAll}, what an apply reads before it writes) are one read-only transaction per
 * 128 keys, not a request per key: counted by etcd itself, on an etcd of the test's own that nothing else calls.
 */
class EtcdReadsTest {
    private static final Pattern HANDLED = Pattern.compile(
            "grpc_server_handled_total\\{grpc_code=\"OK\",grpc_method=\"(\\w+)\",grpc_service=\"etcdserverpb.KV\"[^}]*} (\\S+)");
    private static final Pattern ANY_CODE = Pattern.compile(
            "grpc_server_handled_total\\{grpc_code=\"\\w+\",grpc_method=\"(\\w+)\",grpc_service=\"etcdserverpb.KV\"[^}]*} (\\S+)");

    @Test
    void threeHundredKeysAreReadInThreeTransactionsInTheirOrderWithTheAbsentOnesEmpty() throws Exception {
        try (PrivateEtcd own = new PrivateEtcd()) {
            own.start();
            EtcdFixture etcd = new EtcdFixture(own.endpoint());
            try {
                List<String> keys = new ArrayList<>();
                List<EtcdKv.Write> writes = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    String key = etcd.prefix + "/k" + i;
                    keys.add(key);
                    if (i % 3 != 0) {
                        writes.add(new EtcdKv.Write(key, "v" + i));
                    }
                    if (writes.size() == 100) {
                        etcd.kv.commit(List.of(), writes);
                        writes = new ArrayList<>();
                    }
                }
                etcd.kv.commit(List.of(), writes);
                long ranges = handled(own, "Range");
                long txns = handled(own, "Txn");

                List<Optional<StoredValue>> read = etcd.kv.getAll(keys);

                assertEquals(300, read.size());
                for (int i = 0; i < 300; i++) {
                    String key = keys.get(i);
                    Optional<String> expected = i % 3 == 0 ? Optional.empty() : Optional.of("v" + i);
                    assertEquals(expected, read.get(i).map(StoredValue::value), key);
                    assertTrue(read.get(i).map(v -> v.key().equals(key)).orElse(true), key);
                }
                assertEquals(0, handled(own, "Range") - ranges, "no range request per key");
                assertEquals(3, handled(own, "Txn") - txns, "one transaction per 128 keys");
            } finally {
                etcd.close();
            }
        }
    }

    @Test
    void valuesTooLargeForOneAnswerTogetherAreReadOneRangeEach() throws Exception {
        try (PrivateEtcd own = new PrivateEtcd()) {
            own.start();
            EtcdFixture etcd = new EtcdFixture(own.endpoint());
            try {
                // Each under etcd's 1.5 MiB request limit, together well over gRPC's 4 MiB answer.
                List<String> keys = List.of(etcd.prefix + "/big0", etcd.prefix + "/big1", etcd.prefix + "/big2");
                for (int i = 0; i < keys.size(); i++) {
                    etcd.kv.put(keys.get(i), String.valueOf((char) ('a' + i)).repeat(1_450_000));
                }
                long ranges = handled(own, "Range");
                long txns = answered(own, "Txn");

                List<Optional<StoredValue>> read = etcd.kv.getAll(keys);

                for (int i = 0; i < keys.size(); i++) {
                    String value = read.get(i).orElseThrow().value();
                    assertEquals(1_450_000, value.length(), keys.get(i));
                    assertEquals((char) ('a' + i), value.charAt(0), keys.get(i));
                }
                // The transaction was tried, its answer refused as too large, and the values came back one range each.
                assertEquals(1, answered(own, "Txn") - txns, "the one transaction tried first");
                assertEquals(3, handled(own, "Range") - ranges, "one range per key after the too-large answer");
            } finally {
                etcd.close();
            }
        }
    }

    /** Requests of one KV method etcd answered OK, from its own /metrics. */
    private static long handled(PrivateEtcd etcd, String method) throws Exception {
        Matcher m = HANDLED.matcher(metrics(etcd));
        while (m.find()) {
            if (m.group(1).equals(method)) {
                return (long) Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    /** Requests of one KV method etcd answered with any code (a client may refuse what etcd sent). */
    private static long answered(PrivateEtcd etcd, String method) throws Exception {
        Matcher m = ANY_CODE.matcher(metrics(etcd));
        long sum = 0;
        while (m.find()) {
            if (m.group(1).equals(method)) {
                sum += (long) Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static String metrics(PrivateEtcd etcd) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(etcd.endpoint() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
