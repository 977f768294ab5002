package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.stack.FileTargetCheck;
import dev.berth.crds.stack.MountPaths;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service's {@code secrets} and {@code configs} (short syntax {@code - name}, long syntax with source, target,
 * uid, gid, mode) as Berth file references, with Compose's targets: a secret at {@code /run/secrets/<name>}, a
 * config at {@code /<name>}, and a relative target under those same folders ({@code /run/secrets/} or {@code /}),
 * as Docker Compose mounts them. One converter per service: it remembers the targets to check them against the
 * service's volumes once all keys are read.
 */
final class FileReferenceConverter {
    private static final String SECRETS_DIR = "/run/secrets/";
    private static final String CONFIGS_DIR = "/";

    /** A converted reference's container path, and where it was written. */
    private record Placed(String target, String noun, ComposeNode at, String path) {
    }

    private final ImportContext context;
    private final List<Placed> placed = new ArrayList<>();

    FileReferenceConverter(ImportContext context) {
        this.context = context;
    }

    ArrayNode convert(ComposeNode node, String path, boolean secret) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (!(node instanceof ComposeNode.Sequence list)) {
            context.diagnostics().error(node, path, "expected a list of " + (secret ? "secrets" : "configs")
                    + ", got " + node.shape());
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            ComposeNode item = list.items().get(i);
            String itemPath = Paths.item(path, i);
            Optional<ObjectNode> reference = item instanceof ComposeNode.Mapping m ? longSyntax(m, itemPath, secret)
                    : context.nodes().text(item, itemPath).filter(name -> declared(name, item, itemPath, secret))
                            .flatMap(name -> reference(name, null, item, itemPath, secret));
            reference.ifPresent(out::add);
        }
        return out;
    }

    private Optional<ObjectNode> longSyntax(ComposeNode.Mapping m, String path, boolean secret) {
        String source = null;
        ComposeNode sourceAt = m;
        String target = null;
        ComposeNode targetAt = m;
        ObjectNode options = JsonNodeFactory.instance.objectNode();
        for (ComposeNode.Entry e : m.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "source" -> {
                    source = context.nodes().text(e.value(), keyPath).orElse(null);
                    sourceAt = e.value();
                }
                case "target" -> {
                    target = context.nodes().text(e.value(), keyPath).orElse(null);
                    targetAt = e.value();
                }
                case "uid", "gid" -> context.nodes().integer(e.value(), keyPath, 0, Integer.MAX_VALUE)
                        .ifPresent(id -> options.put(e.key(), id));
                case "mode" -> mode(e.value(), keyPath).ifPresent(mode -> options.put("mode", mode));
                default -> context.diagnostics().dropped(e, keyPath, "unknown key");
            }
        }
        if (source == null) {
            context.diagnostics().error(m, path, "needs a source: the name of a top-level "
                    + (secret ? "secret" : "config"));
            return Optional.empty();
        }
        if (!declared(source, sourceAt, Paths.child(path, "source"), secret)) {
            return Optional.empty();
        }
        String at = target == null ? path : Paths.child(path, "target");
        return reference(source, target, targetAt, at, secret).map(r -> {
            r.setAll(options);
            return r;
        });
    }

    private boolean declared(String composeName, ComposeNode at, String path, boolean secret) {
        if ((secret ? context.secrets() : context.configs()).containsKey(composeName)) {
            return true;
        }
        context.diagnostics().error(at, path, (secret ? "secret" : "config") + " \"" + composeName
                + "\" is not declared under the top-level " + (secret ? "secrets" : "configs"));
        return false;
    }

    /** A reference to a declared object, with its target as Compose would mount it. */
    private Optional<ObjectNode> reference(String composeName, String target, ComposeNode at, String path, boolean secret) {
        FileObjects.Declared object = (secret ? context.secrets() : context.configs()).get(composeName);
        String dir = secret ? SECRETS_DIR : CONFIGS_DIR;
        String inContainer = target == null ? dir + composeName : target.startsWith("/") ? target : dir + target;
        Optional<String> problem = FileTargetCheck.problem(inContainer);
        if (problem.isPresent()) {
            context.diagnostics().error(at, path, problem.get());
            return Optional.empty();
        }
        ObjectNode reference = JsonNodeFactory.instance.objectNode();
        reference.put("source", object.berthName());
        // Berth's default names the file after the Berth object (stack-prefixed); Compose's after its own name.
        String berthDefault = dir + object.berthName();
        if (!inContainer.equals(berthDefault)) {
            reference.put("target", inContainer);
        }
        placed.add(new Placed(inContainer, secret ? "secret" : "config", at, path));
        return Optional.of(reference);
    }

    /**
     * Compose's mode is a number: YAML's {@code 0440} (and {@code 0o440}) is octal, {@code 288} decimal, and a
     * quoted string is read as octal, as compose-go does. Berth writes it as octal text.
     */
    private Optional<String> mode(ComposeNode node, String path) {
        Optional<String> text = context.nodes().text(node, path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String t = text.get().strip().replace("_", "");
        boolean number = node instanceof ComposeNode.Scalar s && s.type() == ComposeNode.ScalarType.NUMBER;
        int bits;
        try {
            if (t.startsWith("0o")) {
                bits = Integer.parseInt(t.substring(2), 8);
            } else if (number && t.startsWith("0x")) {
                bits = Integer.parseInt(t.substring(2), 16);
            } else if (!number || (t.length() > 1 && t.startsWith("0"))) {
                bits = Integer.parseInt(t, 8);
            } else {
                bits = Integer.parseInt(t);
                if (bits > 7 && t.chars().allMatch(c -> c >= '0' && c <= '7')) {
                    context.diagnostics().warn(node, path, "Compose reads " + t + " as a decimal number, which is "
                            + "mode " + String.format("0%o", bits) + "; write 0" + t + " for the octal mode");
                }
            }
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits < 0 || bits > 0777) {
            context.diagnostics().error(node, path, "mode \"" + text.get() + "\" is not a file mode from 0000 to "
                    + "0777 (write it in octal, like 0440)");
            return Optional.empty();
        }
        return Optional.of(String.format("%04o", bits));
    }

    /**
     * Once the service's volumes are known: a secret or config at the target of another mount, inside one, or with
     * a volume inside it would be refused by Berth (and hide one file behind another); say so at the reference.
     */
    void checkTargets(ObjectNode service) {
        List<String> volumes = new ArrayList<>();
        for (JsonNode volume : service.path("volumes")) {
            volumes.add(MountPaths.normalise(volume.path("target").asText("/")));
        }
        for (int i = 0; i < placed.size(); i++) {
            Placed p = placed.get(i);
            String target = MountPaths.normalise(p.target());
            String clash = null;
            for (int v = 0; clash == null && v < volumes.size(); v++) {
                clash = clash(target, volumes.get(v), "the volume at " + volumes.get(v));
            }
            for (int j = 0; clash == null && j < i; j++) {
                Placed other = placed.get(j);
                clash = clash(target, MountPaths.normalise(other.target()), "the " + other.noun() + " at "
                        + other.target() + " (" + other.path() + ")");
            }
            if (clash != null) {
                context.diagnostics().error(p.at(), p.path(), p.noun() + " target " + p.target() + clash
                        + "; Berth mounts a secret or config file only where no other mount is");
            }
        }
    }

    private static String clash(String target, String other, String described) {
        if (target.equals(other)) {
            return " is also the target of " + described;
        }
        if (MountPaths.within(target, other)) {
            return " is inside " + described;
        }
        return MountPaths.within(other, target) ? " would hold " + described : null;
    }
}
