package dev.berth.crds;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test helpers: a shared parser and the example manifests. */
final class Manifests {
    static final ManifestParser PARSER = new ManifestParser(Kinds.standard());

    /** A valid minimal Stack; tests replace one line of it to break it. */
    static final String MINIMAL = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: web
            spec:
              services:
                - name: httpd
                  image: busybox:1
            """;

    private Manifests() {
    }

    /** The errors of parsing {@code yaml} as {@code x.yaml}, as {@code berth apply} prints them. */
    static java.util.List<String> errors(String yaml) {
        return PARSER.parse("x.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    /** The spec of the one Stack {@code yaml} holds, which must be valid. */
    static dev.berth.crds.stack.StackSpec validStack(String yaml) {
        ParseResult result = PARSER.parse("x.yaml", yaml);
        org.junit.jupiter.api.Assertions.assertTrue(result.ok(), result.errors().toString());
        return result.resources().get(0).spec(dev.berth.crds.stack.StackSpec.class);
    }

    static String resource(String name) {
        try (InputStream in = Manifests.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException(name + " not found");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
