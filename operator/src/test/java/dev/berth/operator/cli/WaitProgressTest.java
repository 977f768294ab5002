package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.waiting.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two progress displays, pure: plain lines per change without escape codes, and the live redraw. */
class WaitProgressTest {
    private static final Verdict PULLING = new Verdict(Verdict.State.WAITING, "hb2: Pulling: web: x:2", "",
            List.of(new Verdict.Row("hb1", "web", 1, 1, ""), new Verdict.Row("hb2", "web", 0, 1, "Pulling: web: x:2")));
    private static final Verdict STARTED = new Verdict(Verdict.State.WAITING, "hb2: Reconciling: applying changes", "",
            List.of(new Verdict.Row("hb1", "web", 1, 1, ""), new Verdict.Row("hb2", "web", 1, 1, "Reconciling")));

    @Test
    void plainPrintsOneLinePerChangeAndNoEscapeCodes() {
        StringWriter text = new StringWriter();
        PlainProgress plain = new PlainProgress(new PrintWriter(text), "s");
        plain.accept(PULLING);
        plain.accept(PULLING);
        plain.accept(STARTED);
        assertEquals(List.of("hb1  web  1/1", "hb2  web  0/1  Pulling: web: x:2", "stack/s: hb2: Pulling: web: x:2",
                "hb2  web  1/1  Reconciling", "stack/s: hb2: Reconciling: applying changes"), text.toString().lines().toList());
        assertFalse(text.toString().contains("\u001b"));
    }

    @Test
    void liveRedrawsTheTableInPlace() {
        StringWriter text = new StringWriter();
        LiveProgress live = new LiveProgress(new PrintWriter(text), "s");
        live.accept(PULLING);
        String first = text.toString();
        assertFalse(first.contains("\u001b"), "nothing to go back over the first time");
        assertTrue(first.startsWith("HOST   SERVICE   READY   REASON\n"), first);
        assertTrue(first.contains("waiting for stack/s (0s): hb2: Pulling: web: x:2"), first);
        live.accept(STARTED);
        String second = text.toString().substring(first.length());
        assertTrue(second.startsWith("\u001b[4F\u001b[J"), "back over the 4 lines drawn, cleared: " + second);
    }

    @Test
    void durationsAreWrittenAsTyped() {
        assertEquals("5m", WaitOptions.format(Duration.ofMinutes(5)));
        assertEquals("1m30s", WaitOptions.format(Duration.ofSeconds(90)));
        assertEquals("3s", WaitOptions.format(Duration.ofSeconds(3)));
        assertEquals("1h", WaitOptions.format(Duration.ofHours(1)));
        assertEquals("250ms", WaitOptions.format(Duration.ofMillis(250)));
    }
}
