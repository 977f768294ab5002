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
