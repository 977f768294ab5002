package dev.berth.operator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.EtcdFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reads over etcd's HTTP gateway (what read-only commands use) against the real etcd: the same keys, values, revisions
 * and order as over gRPC, an unreachable endpoint passed over, and a reading store that refuses to write.
 */
class EtcdGatewayTest {
    private final EtcdFixture etcd = new EtcdFixture();

    @AfterEach
    void tearDown() {
        etcd.close();
    }

    @Test
    void readsWhatGrpcReadsInTheSameOrderWithTheSameRevisions() {
        String prefix = etcd.prefix + "/gw/";
        etcd.kv.put(prefix + "b", "two");
        etcd.kv.put(prefix + "a", "one ü");
        etcd.kv.put(prefix + "a", "one ü, again");
        etcd.kv.put(prefix + "c/deeper", "{\"json\": true}");
        etcd.kv.put(etcd.prefix + "/gw0", "after the prefix: not listed");

        try (EtcdGateway gateway = EtcdGateway.open(etcd.settings)) {
            EtcdKv reading = EtcdKv.reading(gateway, etcd.settings);
            EtcdKv.Listing overHttp = reading.list(prefix);
            EtcdKv.Listing overGrpc = etcd.kv.list(prefix);
            assertEquals(overGrpc.values(), overHttp.values());
            assertEquals(List.of(prefix + "a", prefix + "b", prefix + "c/deeper"),
                    overHttp.values().stream().map(StoredValue::key).toList());
            assertEquals(2, overHttp.values().get(0).version());
            assertTrue(overHttp.revision() >= overGrpc.values().get(2).modRevision(), "the listing's revision");

            assertEquals(etcd.kv.get(prefix + "a"), reading.get(prefix + "a"));
            assertEquals(Optional.empty(), reading.get(prefix + "missing"));
            List<Optional<StoredValue>> both = reading.getAll(List.of(prefix + "b", prefix + "missing"));
            assertEquals(List.of(etcd.kv.get(prefix + "b"), Optional.empty()), both);
            assertEquals(List.of(3, 0), reading.listAll(List.of(prefix, prefix + "none/")).stream()
                    .map(l -> l.values().size()).toList());
            reading.connect(prefix);

            IllegalStateException write = assertThrows(IllegalStateException.class, () -> reading.put(prefix + "x", "y"));
            assertTrue(write.getMessage().contains("only reads"), write.getMessage());
        }
    }

    @Test
    void anEndpointThatCannotBeReachedIsPassedOver() throws java.io.IOException {
        String key = etcd.prefix + "/reachable";
        etcd.kv.put(key, "yes");
        List<String> endpoints = new ArrayList<>();
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        endpoints.add("http://127.0.0.1:" + closed);
        endpoints.addAll(etcd.settings.endpoints());
        EtcdSettings settings = new EtcdSettings(endpoints, null, null, null, null, null, etcd.settings.timeout());
        try (EtcdGateway gateway = EtcdGateway.open(settings)) {
            assertEquals("yes", EtcdKv.reading(gateway, settings).get(key).orElseThrow().value());
        }
    }

    @Test
    void aListingFromAnEtcdWithoutItsGatewayComesOverGrpc() throws Exception {
        try (dev.berth.operator.PrivateEtcd bare = new dev.berth.operator.PrivateEtcd(
                List.of("--enable-grpc-gateway=false"))) {
            bare.start();
            EtcdSettings settings = new EtcdSettings(List.of(bare.endpoint()), null, null, null, null, null,
                    etcd.settings.timeout());
            try (EtcdGateway gateway = EtcdGateway.open(settings)) {
                StoreException missing = assertThrows(StoreException.class,
                        () -> EtcdKv.reading(gateway, settings).get("/any"));
                assertTrue(EtcdGateway.tryGrpc(missing), missing.toString());
            }
            String stack = dev.berth.operator.StackYaml.stack("gatewayless").yaml();
            java.nio.file.Path file = java.nio.file.Files.createTempFile("gatewayless", ".yaml");
            try {
                java.nio.file.Files.writeString(file, stack);
                assertEquals(0, dev.berth.operator.CliRun.of(bare.endpoint(), "/gatewayless", "apply", "-f",
                        file.toString()).exit());
                dev.berth.operator.CliRun get = dev.berth.operator.CliRun.of(bare.endpoint(), "/gatewayless", "get",
                        "stacks");
                assertEquals(0, get.exit(), get.err());
                assertTrue(get.out().contains("gatewayless"), get.out());
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void aPrefixEndsAfterItsLastByteThatCanGrow() {
        assertArrayEquals("/berth0".getBytes(StandardCharsets.UTF_8),
                EtcdGateway.prefixEnd("/berth/".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(new byte[] {'a', 'c'}, EtcdGateway.prefixEnd(new byte[] {'a', 'b', (byte) 0xff}));
        assertArrayEquals(new byte[] {0}, EtcdGateway.prefixEnd(new byte[] {(byte) 0xff}));
    }
}
