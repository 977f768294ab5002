package dev.berth.crds;

import java.util.List;
import java.util.Objects;

/**
 * Everything Berth needs to know about one kind of resource: its names (as in a Kubernetes CRD), the record its
 * spec binds to, and the classpath resource holding its schema.
 */
public record KindDef(String kind, String singular, String plural, List<String> shortNames, Class<?> specType,
                      String schemaResource) {
    public KindDef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(singular, "singular");
        Objects.requireNonNull(plural, "plural");
        Objects.requireNonNull(specType, "specType");
        Objects.requireNonNull(schemaResource, "schemaResource");
        shortNames = shortNames == null ? List.of() : List.copyOf(shortNames);
    }

    /** The key of an object of this kind, e.g. {@code stack/web}: the etcd key suffix and the work-queue key. */
    public String key(String name) {
        return singular + "/" + name;
    }

    /** Every name a person may type for this kind; compared case-insensitively. */
    public List<String> names() {
        var names = new java.util.ArrayList<String>(List.of(kind, singular, plural));
        names.addAll(shortNames);
        return List.copyOf(names);
    }
}
