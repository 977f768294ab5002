package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Quantities;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service's {@code volumes} (short {@code source:target[:options]} and long form) and {@code tmpfs}.
 * Relative bind sources are resolved against the compose file's folder, as Compose does.
 */
final class VolumeConverter {
    private final ImportContext context;
    private final String service;

    VolumeConverter(ImportContext context, String service) {
        this.context = context;
        this.service = service;
    }

    List<ObjectNode> volumes(ComposeNode node, String path) {
        List<ObjectNode> out = new ArrayList<>();
        if (!(node instanceof ComposeNode.Sequence list)) {
            context.diagnostics().error(node, path, "expected a list of volumes, got " + node.shape());
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            ComposeNode item = list.items().get(i);
            String itemPath = Paths.item(path, i);
            Optional<ObjectNode> volume = item instanceof ComposeNode.Mapping m ? longForm(m, itemPath, out.size())
                    : context.nodes().text(item, itemPath).flatMap(t -> shortForm(t, item, itemPath, out.size()));
            volume.ifPresent(out::add);
        }
        return out;
    }

    /** {@code tmpfs: /run} or a list of {@code /path[:size=64m,mode=1777]}. */
    List<ObjectNode> tmpfs(ComposeNode node, String path) {
        List<ObjectNode> out = new ArrayList<>();
        for (String value : context.nodes().texts(node, path)) {
            String[] parts = value.split(":", 2);
            String size = null;
            if (parts.length == 2) {
                for (String option : parts[1].split(",")) {
                    if (option.startsWith("size=")) {
                        size = size(option.substring(5), node, path);
                    } else if (!option.isBlank()) {
                        context.diagnostics().warn(node, path, "tmpfs option \"" + option + "\" is not supported; dropped");
                    }
                }
            }
            out.add(mount("tmpfs", null, parts[0], false, size));
        }
        return out;
    }

    private Optional<ObjectNode> shortForm(String text, ComposeNode at, String path, int index) {
        String[] parts = text.split(":", -1);
        if (parts.length == 1) {
            return Optional.of(anonymous(parts[0], false, at, path, index));
        }
        if (parts.length > 3) {
            context.diagnostics().error(at, path, "\"" + text + "\" is not SOURCE:TARGET[:OPTIONS]");
            return Optional.empty();
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            for (String option : parts[2].split(",")) {
                switch (option) {
                    case "ro" -> readOnly = true;
                    case "rw", "" -> {
                        // the default
                    }
                    default -> context.diagnostics().warn(at, path, "volume option \"" + option + "\" is not supported; dropped");
                }
            }
        }
        String source = parts[0];
        String target = parts[1];
        boolean ro = readOnly;
        if (isPath(source)) {
            return bindSource(source, at, path).map(s -> mount("bind", s, target, ro, null));
        }
        return named(source, at, path).map(s -> mount("volume", s, target, ro, null));
    }

    private Optional<ObjectNode> longForm(ComposeNode.Mapping m, String path, int index) {
        String type = null;
        String source = null;
        String target = null;
        boolean readOnly = false;
        String size = null;
        ComposeNode.Entry sourceEntry = null;
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "type" -> type = context.nodes().text(e.value(), keyPath).orElse(null);
                case "source" -> {
                    source = context.nodes().text(e.value(), keyPath).orElse(null);
                    sourceEntry = e;
                }
                case "target" -> target = context.nodes().text(e.value(), keyPath).orElse(null);
                case "read_only" -> readOnly = context.nodes().bool(e.value(), keyPath).orElse(false);
                case "tmpfs" -> size = tmpfsOptions(e, keyPath);
                default -> context.diagnostics().dropped(e, keyPath, "not supported by the Stack schema");
            }
        }
        if (target == null) {
            context.diagnostics().error(m, path, "a volume needs a target");
            return Optional.empty();
        }
        if (type == null) {
            context.diagnostics().error(m, path, "a volume needs a type (volume, bind or tmpfs)");
            return Optional.empty();
        }
        boolean ro = readOnly;
        String tgt = target;
        ComposeNode sourceAt = sourceEntry == null ? m : sourceEntry.value();
        String sourcePath = Paths.child(path, "source");
        return switch (type) {
            case "tmpfs" -> Optional.of(mount("tmpfs", null, target, false, size));
            case "bind" -> source == null ? missingSource(m, path)
                    : bindSource(source, sourceAt, sourcePath).map(s -> mount("bind", s, tgt, ro, null));
            case "volume" -> source == null ? Optional.of(anonymous(target, ro, m, path, index))
                    : named(source, sourceAt, sourcePath).map(s -> mount("volume", s, tgt, ro, null));
            default -> {
                context.diagnostics().warn(m, Paths.child(path, "type"), "volume type \"" + type
                        + "\" is not supported (volume, bind or tmpfs); dropped");
                yield Optional.empty();
            }
        };
    }

    private Optional<ObjectNode> missingSource(ComposeNode at, String path) {
        context.diagnostics().error(at, path, "a bind volume needs a source");
        return Optional.empty();
    }

    private String tmpfsOptions(ComposeNode.Entry e, String path) {
        String size = null;
        if (e.value() instanceof ComposeNode.Mapping options) {
            for (ComposeNode.Entry o : options.entries().values()) {
                if (o.key().equals("size") && !o.value().isNull()) {
                    size = context.nodes().text(o.value(), Paths.child(path, "size"))
                            .map(t -> size(t, o.value(), Paths.child(path, "size"))).orElse(null);
                } else {
                    context.diagnostics().dropped(o, Paths.child(path, o.key()), "not supported by the Stack schema");
                }
            }
        }
        return size;
    }

    /** Compose writes a tmpfs size as bytes or a quantity; Berth wants a quantity. */
    private String size(String text, ComposeNode at, String path) {
        if (Quantities.isQuantity(text)) {
            return text;
        }
        context.diagnostics().warn(at, path, "tmpfs size \"" + text + "\" is not a quantity like 64m; dropped");
        return null;
    }

    /** Compose gives an anonymous volume a random name; Berth needs one, so the service and mount say which. */
    private ObjectNode anonymous(String target, boolean readOnly, ComposeNode at, String path, int index) {
        String name = context.stack() + "_" + service + "_" + (index + 1);
        context.diagnostics().warn(at, path, "anonymous volume for " + target + " becomes the named volume \"" + name + "\"");
        return mount("volume", name, target, readOnly, null);
    }

    private Optional<String> named(String source, ComposeNode at, String path) {
        String docker = context.volumes().get(source);
        if (docker == null) {
            context.diagnostics().error(at, path, "volume \"" + source + "\" is not declared under the top-level volumes");
            return Optional.empty();
        }
        return Optional.of(docker);
    }

    private Optional<String> bindSource(String source, ComposeNode at, String path) {
        Path resolved;
        if (source.equals("~") || source.startsWith("~/")) {
            String home = context.environment().get("HOME");
            if (home == null) {
                context.diagnostics().error(at, path, "\"" + source + "\" needs HOME, which is not set");
                return Optional.empty();
            }
            resolved = Path.of(home).resolve(source.equals("~") ? "" : source.substring(2));
        } else {
            resolved = context.directory().resolve(source);
        }
        return Optional.of(resolved.toAbsolutePath().normalize().toString());
    }

    private static boolean isPath(String source) {
        return source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
    }

    private static ObjectNode mount(String type, String source, String target, boolean readOnly, String size) {
        ObjectNode volume = JsonNodeFactory.instance.objectNode();
        volume.put("type", type);
        if (source != null) {
            volume.put("source", source);
        }
        volume.put("target", target);
        if (readOnly) {
            volume.put("readOnly", true);
        }
        if (size != null) {
            volume.put("size", size);
        }
        return volume;
    }
}
