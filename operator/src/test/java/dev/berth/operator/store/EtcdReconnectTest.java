package dev.berth.operator.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.TestEnv;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EtcdReconnect reads jetcd's gRPC channel by reflection: this fails when a jetcd upgrade moves it, before operators
 * quietly fall back to gRPC's two-minute reconnect backoff (the outage bound itself is EtcdFaultsTest's).
 */
class EtcdReconnectTest {
    @Test
    void findsJetcdsChannel() {
        EtcdSettings settings = new EtcdSettings(List.of(TestEnv.etcdEndpoints().split(",")), null, null, null, null, null,
                Duration.ofSeconds(5));
        try (Client client = EtcdConnector.connect(settings)) {
            assertTrue(EtcdReconnect.channelOf(client).isPresent(), "jetcd's ManagedChannel found");
        }
    }
}
