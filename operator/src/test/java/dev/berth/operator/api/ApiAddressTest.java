package dev.berth.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the host record publishes: never a guessed address for an API listening on every address. */
class ApiAddressTest {
    private static ApiSettings listen(String host, String advertise) {
        return new ApiSettings(true, new InetSocketAddress(host, 7443), advertise);
    }

    @Test
    void everyAddressWithoutAdvertiseOrUnderlayPublishesNothing() {
        assertEquals(Optional.empty(), ApiAddress.advertise(listen("0.0.0.0", null), 7443, Optional.empty()));
    }

    @Test
    void everyAddressWithAnUnderlayPublishesTheUnderlayIp() {
        assertEquals(Optional.of("10.0.0.5:7443"),
                ApiAddress.advertise(listen("0.0.0.0", null), 7443, Optional.of("10.0.0.5")));
    }

    @Test
    void anAddressGivenOnPurposeIsPublishedLoopbackIncluded() {
        assertEquals(Optional.of("127.0.0.1:4000"),
                ApiAddress.advertise(listen("127.0.0.1", null), 4000, Optional.of("10.0.0.5")));
    }

    @Test
    void advertiseWins() {
        assertEquals(Optional.of("api.example:443"),
                ApiAddress.advertise(listen("0.0.0.0", "api.example:443"), 7443, Optional.empty()));
    }
}
