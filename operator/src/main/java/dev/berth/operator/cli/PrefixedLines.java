package dev.berth.operator.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Output of several containers on one terminal as {@code docker compose logs} prints it: each line whole, after its
 * {@code host/container | } prefix, lines of different containers interleaved but never cut. One {@link Source} per
 * container stream keeps the part of a line not yet ended (up to {@link #MAX_PARTIAL} bytes, then printed as a line).
 */
final class PrefixedLines {
    /** Longest part of a line held back: a container that never writes a newline still shows up, in pieces. */
    static final int MAX_PARTIAL = 64 * 1024;

    private final PrintWriter out;
    private final int width;

    /** @param width prefixes are padded to this many characters, so the bars line up */
    PrefixedLines(PrintWriter out, int width) {
        this.out = out;
        this.width = width;
    }

    Source source(String prefix) {
        return new Source(prefix);
    }

    private void line(String prefix, byte[] bytes, int from, int to) {
        String text = new String(bytes, from, to - from, StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        String padded = prefix.length() >= width ? prefix : prefix + " ".repeat(width - prefix.length());
        synchronized (out) {
            out.println(padded + " | " + text);
            out.flush();
        }
    }

    /** One container's stream (stdout or stderr) of bytes, cut into lines. */
    final class Source {
        private final String prefix;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        private Source(String prefix) {
            this.prefix = prefix;
        }

        synchronized void write(byte[] bytes) {
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    if (partial.size() > 0) {
                        partial.write(bytes, start, i - start);
                        byte[] whole = partial.toByteArray();
                        partial.reset();
                        line(prefix, whole, 0, whole.length);
                    } else {
                        line(prefix, bytes, start, i);
                    }
                    start = i + 1;
                }
            }
            partial.write(bytes, start, bytes.length - start);
            if (partial.size() >= MAX_PARTIAL) {
                end();
            }
        }

        /** The last line when the stream ended without a newline. */
        synchronized void end() {
            if (partial.size() > 0) {
                byte[] rest = partial.toByteArray();
                partial.reset();
                line(prefix, rest, 0, rest.length);
            }
        }
    }
}
