package dev.berth.operator.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** What iputils' ping prints, as the prober reads it; and what {@code bridge -j fdb show} prints. */
class PingOutputTest {
    private static final String ANSWERED = """
            PING 10.70.1.1 (10.70.1.1) from 10.70.0.1 : 56(84) bytes of data.

            --- 10.70.1.1 ping statistics ---
            1 packets transmitted, 1 received, 0% packet loss, time 0ms
            rtt min/avg/max/mdev = 0.412/0.412/0.412/0.000 ms
            """;

    @Test
    void anAnswerCarriesItsRoundTripInMicroseconds() {
        PingOutput.Answer answer = PingOutput.parse(0, ANSWERED);
        assertTrue(answer.answered());
        assertEquals(412L, answer.rttMicros());
    }

    @Test
    void noReplyIsNoAnswer() {
        String lost = """
                PING 10.70.1.1 (10.70.1.1) from 10.70.0.1 : 1422(1450) bytes of data.

                --- 10.70.1.1 ping statistics ---
                1 packets transmitted, 0 received, 100% packet loss, time 0ms
                """;
        assertFalse(PingOutput.parse(1, lost).answered());
        // A wrapper that exits 0 does not turn a lost packet into an answer.
        assertFalse(PingOutput.parse(0, lost).answered());
    }

    @Test
    void aLocalMtuErrorIsNoAnswer() {
        String tooLong = """
                PING 10.70.1.1 (10.70.1.1) from 10.70.0.1 : 1422(1450) bytes of data.
                ping: local error: message too long, mtu=1350

                --- 10.70.1.1 ping statistics ---
                1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
                """;
        assertEquals(PingOutput.Answer.NONE, PingOutput.parse(1, tooLong));
    }

    @Test
    void aCommandThatCouldNotRunIsNoAnswer() {
        assertFalse(PingOutput.parse(-1, "ping timed out after 3000 ms").answered());
        assertFalse(PingOutput.parse(0, "").answered());
        assertFalse(PingOutput.parse(0, null).answered());
    }

    @Test
    void busyboxSummaryAlsoReads() {
        String busybox = """
                --- 10.70.1.1 ping statistics ---
                1 packets transmitted, 1 packets received, 0% packet loss
                round-trip min/avg/max = 1.250/1.250/1.250 ms
                """;
        assertEquals(new PingOutput.Answer(true, 1250L), PingOutput.parse(0, busybox));
    }

    @Test
    void fdbDestinationsAreTheDstOfEachEntry() {
        String json = """
                [{"mac":"00:00:00:00:00:00","dst":"10.1.0.12","flags":["self"],"state":"permanent"},
                 {"mac":"02:42:0a:46:01:02","dst":"10.1.0.13","flags":["self"],"state":"permanent"},
                 {"mac":"8e:3c:11:22:33:44","master":"bb4242","state":"permanent"}]
                """;
        assertEquals(Set.of("10.1.0.12", "10.1.0.13"), FdbDestinations.parse(json));
        assertEquals(Set.of(), FdbDestinations.parse(""));
        assertEquals(Set.of(), FdbDestinations.parse("Cannot find device \"bv4242\""));
    }
}
