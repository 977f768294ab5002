package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.stack.ImageCheck;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compose {@code build:} (a context string, or context, dockerfile, args and target) into a Stack service's build.
 * Compose resolves the context from the compose file's folder; Berth resolves a relative one from the manifest's
 * folder in a GitSource's checkout, so the context is rewritten relative to where the manifest is written.
 */
final class BuildConverter {
    /** Build options Berth's build (one Dockerfile, one context, through the Docker API) has no place for. */
    private static final Set<String> UNSUPPORTED = Set.of("cache_from", "cache_to", "ssh", "secrets", "platforms",
            "network", "extra_hosts", "shm_size", "labels", "no_cache", "pull", "additional_contexts", "tags",
            "isolation", "privileged", "entitlements", "provenance", "sbom", "ulimits");

    private final ImportContext context;

    BuildConverter(ImportContext context) {
        this.context = context;
    }

    Optional<ObjectNode> convert(ComposeNode v, String path) {
        ObjectNode build = JsonNodeFactory.instance.objectNode();
        if (v instanceof ComposeNode.Scalar) {
            return context.nodes().text(v, path).flatMap(c -> buildContext(c, v, path, build));
        }
        if (!(v instanceof ComposeNode.Mapping m)) {
            context.diagnostics().error(v, path, "expected a folder or a mapping with context, got " + v.shape());
            return Optional.empty();
        }
        boolean ok = true;
        ComposeNode contextNode = m.get("context");
        String contextPath = Paths.child(path, "context");
        if (contextNode == null) {
            ok = buildContext(".", m, path, build).isPresent(); // Compose's default: the compose file's folder
        } else {
            ok = context.nodes().text(contextNode, contextPath)
                    .flatMap(c -> buildContext(c, contextNode, contextPath, build)).isPresent();
        }
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "context" -> {
                    // read above
                }
                case "dockerfile" -> ok &= dockerfile(e.value(), keyPath, build);
                case "target" -> context.nodes().text(e.value(), keyPath).ifPresent(t -> {
                    if (t.isEmpty()) {
                        // "${STAGE}" with STAGE unset: Docker builds the last stage for an empty target, as Compose does
                        context.diagnostics().warn(e.value(), keyPath, "empty (a variable without a value?): left out, "
                                + "so the build makes the Dockerfile's last stage, as under Compose");
                    } else {
                        build.put("target", t);
                    }
                });
                case "args" -> args(e.value(), keyPath, build);
                case "dockerfile_inline" -> {
                    context.diagnostics().error(e, keyPath, "dockerfile_inline is not supported; write the "
                            + "Dockerfile into the build context and name it with dockerfile");
                    ok = false;
                }
                default -> context.diagnostics().dropped(e, keyPath, UNSUPPORTED.contains(e.key())
                        ? "build option " + e.key() + " is not supported by Berth's build"
                        : "unknown build option " + e.key());
            }
        }
        return ok ? Optional.of(build) : Optional.empty();
    }

    private Optional<ObjectNode> buildContext(String written, ComposeNode at, String path, ObjectNode build) {
        if (written.contains("://") || written.startsWith("git@")) {
            context.diagnostics().error(at, path, "a remote build context (" + written + ") is not supported; put "
                    + "the Dockerfile's folder in the GitSource's repository, or in a folder on the hosts");
            return Optional.empty();
        }
        if (written.startsWith("/")) {
            String absolute = Path.of(written).normalize().toString();
            Optional<String> problem = ImageCheck.contextProblem(absolute);
            if (problem.isPresent()) {
                context.diagnostics().error(at, path, problem.get());
                return Optional.empty();
            }
            build.put("context", absolute);
            context.diagnostics().warn(at, path, "the absolute build context " + absolute + " is a folder on the "
                    + "hosts: it must exist on every host that builds this service");
            return Optional.of(build);
        }
        Path resolved = context.directory().resolve(written).normalize();
        Path relative = context.manifestDirectory().relativize(resolved);
        String text = relative.toString().isEmpty() ? "." : relative.toString();
        build.put("context", text);
        context.diagnostics().warn(at, path, "the build context becomes \"" + text + "\", relative to the stack's "
                + "manifest: it works when the stack is synced from a GitSource whose repository holds that folder "
                + "(berth apply refuses a relative context; an absolute path is a folder on the hosts)");
        return Optional.of(build);
    }

    private boolean dockerfile(ComposeNode v, String path, ObjectNode build) {
        Optional<String> dockerfile = context.nodes().text(v, path);
        if (dockerfile.isEmpty()) {
            return false;
        }
        Optional<String> problem = ImageCheck.dockerfileProblem(dockerfile.get());
        if (problem.isPresent()) {
            context.diagnostics().error(v, path, problem.get());
            return false;
        }
        build.put("dockerfile", dockerfile.get());
        return true;
    }

    /** A list of KEY=VALUE or a mapping; a KEY without a value takes the importing environment's, as Compose does. */
    private void args(ComposeNode v, String path, ObjectNode build) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        for (Nodes.Valued kv : context.nodes().keyValues(v, path).values()) {
            String value = kv.value();
            Map<String, String> environment = context.environment();
            if (value == null && environment.containsKey(kv.key())) {
                value = environment.get(kv.key());
            }
            if (value == null) {
                context.diagnostics().warn(kv, kv.path(), "build argument " + kv.key()
                        + " has no value here and is not set in the environment; dropped (the Dockerfile's default applies)");
            } else {
                args.put(kv.key(), value);
            }
        }
        if (!args.isEmpty()) {
            build.set("args", args);
        }
    }
}
