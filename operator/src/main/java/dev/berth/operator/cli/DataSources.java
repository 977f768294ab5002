package dev.berth.operator.cli;

import dev.berth.operator.secrets.SecretDataKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of {@code berth create secret|config}: {@code --from-file [key=]path} (the key defaults to the file's
 * name) and {@code --from-literal key=value}. Every error names the key or the file, never a value.
 */
final class DataSources {
    private DataSources() {
    }

    /** Key to bytes in the order given; refuses bad keys, a key given twice, a value over the limit, no value at all. */
    static Map<String, byte[]> read(List<String> fromFiles, List<String> fromLiterals) {
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (String spec : fromFiles) {
            int eq = spec.indexOf('=');
            String key = eq > 0 ? spec.substring(0, eq) : null;
            String path = eq > 0 ? spec.substring(eq + 1) : spec;
            if (eq == 0 || path.isEmpty()) {
                throw new CliException("--from-file " + spec + ": expected [KEY=]PATH");
            }
            Path file = Path.of(path);
            if (key == null) {
                Path fileName = file.getFileName();
                if (fileName == null) {
                    throw new CliException("--from-file " + spec + ": no file name to use as the key; give KEY=PATH");
                }
                key = fileName.toString();
            }
            put(values, key, readFile(key, file), "--from-file " + spec);
        }
        for (String spec : fromLiterals) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                // Never echo the argument: it may be the value itself, typed without a key.
                throw new CliException("--from-literal: expected KEY=VALUE" + (eq == 0 ? " (the key is empty)" : ""));
            }
            String key = spec.substring(0, eq);
            put(values, key, spec.substring(eq + 1).getBytes(StandardCharsets.UTF_8), "--from-literal " + key);
        }
        if (values.isEmpty()) {
            throw new CliException("no values: give --from-file [KEY=]PATH or --from-literal KEY=VALUE (repeatable)");
        }
        return values;
    }

    /** The values as text; a value that is not UTF-8 (a binary file) is refused, naming its key. */
    static Map<String, String> text(Map<String, byte[]> values) {
        Map<String, String> text = new LinkedHashMap<>();
        values.forEach((key, bytes) -> {
            try {
                text.put(key, StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                throw new CliException("the value of \"" + key + "\" is not UTF-8 text: a Config holds text files only"
                        + " (put binary files in a Secret)");
            }
        });
        return text;
    }

    private static void put(Map<String, byte[]> values, String key, byte[] value, String where) {
        SecretDataKeys.problem(key).ifPresent(p -> {
            throw new CliException(where + ": " + p);
        });
        SecretDataKeys.sizeProblem(key, value.length).ifPresent(p -> {
            throw new CliException(where + ": " + p);
        });
        if (values.putIfAbsent(key, value) != null) {
            throw new CliException(where + ": key \"" + key + "\" is given twice");
        }
    }

    private static byte[] readFile(String key, Path file) {
        if (Files.isDirectory(file)) {
            throw new CliException("--from-file " + file + ": is a folder; name each file (--from-file KEY=PATH)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            // One byte more than allowed is enough to refuse, without reading a huge file into memory.
            byte[] bytes = in.readNBytes(dev.berth.crds.secret.SecretSpec.MAX_VALUE_BYTES + 1);
            SecretDataKeys.sizeProblem(key, bytes.length).ifPresent(p -> {
                throw new CliException("--from-file " + file + ": " + p.replace("has " + bytes.length + " bytes",
                        "has more than " + dev.berth.crds.secret.SecretSpec.MAX_VALUE_BYTES + " bytes"));
            });
            return bytes;
        } catch (IOException e) {
            throw new CliException("--from-file " + file + ": cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }
}
