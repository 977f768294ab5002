package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Durations;

import java.util.List;
import java.util.Optional;

/** {@code healthcheck}: test in every form, the timings, and {@code disable}. */
final class HealthcheckConverter {
    private final ImportContext context;

    HealthcheckConverter(ImportContext context) {
        this.context = context;
    }

    Optional<ObjectNode> convert(ComposeNode node, String path) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(node, path, "expected a mapping, got " + node.shape());
            return Optional.empty();
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ComposeNode disable = m.get("disable");
        if (disable != null && context.nodes().bool(disable, Paths.child(path, "disable")).orElse(false)) {
            out.set("test", JsonNodeFactory.instance.arrayNode().add("NONE"));
            m.entries().values().stream().filter(e -> !e.key().equals("disable"))
                    .forEach(e -> context.diagnostics().dropped(e, Paths.child(path, e.key()), "the health check is disabled"));
            return Optional.of(out);
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "test" -> test(e.value(), keyPath).ifPresent(t -> out.set("test", t));
                case "interval" -> duration(e.value(), keyPath).ifPresent(d -> out.put("interval", d));
                case "timeout" -> duration(e.value(), keyPath).ifPresent(d -> out.put("timeout", d));
                case "start_period" -> duration(e.value(), keyPath).ifPresent(d -> out.put("startPeriod", d));
                case "retries" -> context.nodes().integer(e.value(), keyPath, 0, Integer.MAX_VALUE)
                        .ifPresent(r -> out.put("retries", r));
                case "disable" -> {
                    // false: nothing to do
                }
                default -> context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
            }
        }
        if (!out.has("test")) {
            // Compose would keep the image's own check and change its timings; Berth needs the test itself.
            context.diagnostics().warn(m, path, "a health check without test is not supported (the image's own "
                    + "HEALTHCHECK still applies); dropped");
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /** A string is run by the shell (CMD-SHELL); a list says how itself. */
    private Optional<ArrayNode> test(ComposeNode node, String path) {
        ArrayNode test = JsonNodeFactory.instance.arrayNode();
        if (node instanceof ComposeNode.Scalar) {
            context.nodes().text(node, path).ifPresent(t -> test.add("CMD-SHELL").add(t));
            return test.isEmpty() ? Optional.empty() : Optional.of(test);
        }
        List<String> words = context.nodes().texts(node, path);
        if (words.isEmpty() || !List.of("CMD", "CMD-SHELL", "NONE").contains(words.get(0))) {
            context.diagnostics().error(node, path, "a test list starts with CMD, CMD-SHELL or NONE");
            return Optional.empty();
        }
        words.forEach(test::add);
        return Optional.of(test);
    }

    private Optional<String> duration(ComposeNode node, String path) {
        return context.nodes().text(node, path).filter(d -> {
            if (Durations.isDuration(d)) {
                return true;
            }
            context.diagnostics().warn(node, path, "\"" + d + "\" is not a duration like 10s or 1m30s; dropped");
            return false;
        });
    }
}
