package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Lines of several containers printed whole, however Docker's frames cut them. */
class PrefixedLinesTest {
    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void framesCutAnywhereGiveWholePrefixedLines() {
        StringWriter text = new StringWriter();
        PrefixedLines lines = new PrefixedLines(new PrintWriter(text), "h1/web-1".length());
        PrefixedLines.Source one = lines.source("h1/web-1");
        PrefixedLines.Source two = lines.source("h2/w-1");
        one.write(b("hel"));
        two.write(b("other line\nsecond "));
        one.write(b("lo\r\nwor"));
        two.write(b("half\n"));
        one.write(b("ld"));
        one.end();
        two.end();
        assertEquals("""
                h2/w-1   | other line
                h1/web-1 | hello
                h2/w-1   | second half
                h1/web-1 | world
                """, text.toString().replace(System.lineSeparator(), "\n"));
    }

    /** A container that never writes a newline: what is held is printed once it reaches the cap, not kept forever. */
    @Test
    void aLineWithoutEndIsPrintedInPiecesAtTheCap() {
        StringWriter text = new StringWriter();
        PrefixedLines lines = new PrefixedLines(new PrintWriter(text), 1);
        PrefixedLines.Source one = lines.source("h");
        int writes = (PrefixedLines.MAX_PARTIAL + 999) / 1000;
        for (int i = 0; i < writes; i++) {
            one.write(b("x".repeat(1000)));
        }
        assertEquals("h | " + "x".repeat(writes * 1000), text.toString().strip(), "one line, printed at the cap");
    }
}
