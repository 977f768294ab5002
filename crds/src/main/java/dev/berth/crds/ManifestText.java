package dev.berth.crds;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Turns the bytes of a manifest into text, refusing what a YAML parser should never see. */
final class ManifestText {
    /** Manifests are hand-written; anything bigger is a mistake (or an attack) and is refused before parsing. */
    static final int MAX_BYTES = 1024 * 1024;

    private ManifestText() {
    }

    /** The text, or empty after adding the reason to problems. */
    static Optional<String> decode(byte[] content, Problems problems) {
        if (content.length > MAX_BYTES) {
            problems.add(1, 1, "", "file is " + content.length + " bytes; the limit is " + MAX_BYTES);
            return Optional.empty();
        }
        for (int i = 0; i < content.length; i++) {
            if (content[i] == 0) {
                binaryAt(content, i, problems);
                return Optional.empty();
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer out = CharBuffer.allocate(content.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            binaryAt(content, in.position(), problems);
            return Optional.empty();
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
    }

    /** Decodes a String the same way, so size is always measured in UTF-8 bytes. */
    static Optional<String> check(String content, Problems problems) {
        int bytes = StandardCharsets.UTF_8.encode(content).remaining();
        if (bytes > MAX_BYTES) {
            problems.add(1, 1, "", "file is " + bytes + " bytes; the limit is " + MAX_BYTES);
            return Optional.empty();
        }
        int nul = content.indexOf('\0');
        if (nul >= 0) {
            byte[] before = content.substring(0, nul).getBytes(StandardCharsets.UTF_8);
            binaryAt(before, before.length, problems);
            return Optional.empty();
        }
        return Optional.of(content.startsWith("\uFEFF") ? content.substring(1) : content);
    }

    /** The offset is 0-based (as in hexdump); line and column locate it for editors. */
    private static void binaryAt(byte[] content, int offset, Problems problems) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < content.length; i++) {
            if (content[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        problems.add(line, offset - lineStart + 1, "", "not a text file (binary data at byte " + offset + ")");
    }
}
