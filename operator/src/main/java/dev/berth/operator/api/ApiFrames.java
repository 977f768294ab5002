package dev.berth.operator.api;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The body of a logs or exec answer: frames of {@code [type: 1 byte][length: 4 bytes, big-endian][payload]}, like
 * Docker's own multiplexed stream, so stdout and stderr stay apart and an exit code can follow the output. Types:
 * {@link #STDOUT} and {@link #STDERR} (bytes as the container wrote them), {@link #EXIT} (exec only, last frame:
 * the exit code as a 4-byte signed integer), {@link #ERROR} (the stream ended because of a problem: a UTF-8 message,
 * last frame) and {@link #HEARTBEAT} (empty, sent every few seconds so a server notices a client that went away).
 * A logs body without an error frame ends when the log does.
 */
public final class ApiFrames {
    public static final int HEARTBEAT = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int EXIT = 3;
    public static final int ERROR = 4;
    /** Larger frames are refused by the reader: a broken or hostile server cannot make the CLI allocate much. */
    static final int MAX_PAYLOAD = 1 << 20;

    private ApiFrames() {
    }

    /** One frame as read. */
    public record Frame(int type, byte[] payload) {
        public int exitCode() {
            return ByteBuffer.wrap(payload).getInt();
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Writes and flushes one frame; callers serialise writes to one stream. */
    public static void write(OutputStream out, int type, byte[] payload) throws IOException {
        byte[] header = ByteBuffer.allocate(5).put((byte) type).putInt(payload.length).array();
        out.write(header);
        out.write(payload);
        out.flush();
    }

    public static void writeExit(OutputStream out, int code) throws IOException {
        write(out, EXIT, ByteBuffer.allocate(4).putInt(code).array());
    }

    /** The next frame, or null at the end of the body. */
    public static Frame read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int type = data.read();
        if (type < 0) {
            return null;
        }
        try {
            int length = data.readInt();
            if (length < 0 || length > MAX_PAYLOAD) {
                throw new IOException("the operator API sent a frame of " + length + " bytes; not a Berth API stream?");
            }
            byte[] payload = new byte[length];
            data.readFully(payload);
            return new Frame(type, payload);
        } catch (EOFException e) {
            throw new IOException("the operator API's stream ended in the middle of a frame", e);
        }
    }
}
