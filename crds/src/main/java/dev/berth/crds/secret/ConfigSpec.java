package dev.berth.crds.secret;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** A Config: named text files (key → content) mounted read-only into the services that use them. Not secret. */
public record ConfigSpec(Map<String, String> data) {
    public ConfigSpec {
        data = data == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(data));
    }
}
