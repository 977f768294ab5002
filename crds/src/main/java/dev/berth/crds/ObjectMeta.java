package dev.berth.crds;

import java.util.Map;

/** Kubernetes-style metadata: a DNS-label name, labels and annotations. */
public record ObjectMeta(String name, Map<String, String> labels, Map<String, String> annotations) {
    public ObjectMeta {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
