package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.secret.DataRules;
import dev.berth.crds.secret.SecretSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The top-level {@code secrets} or {@code configs} of a compose file: each one read from its {@code file} (relative
 * to the compose file, as Compose reads it), an {@code environment} variable or, for configs, inline
 * {@code content}, into a Secret or Config document with one key (the compose name) holding the value. An
 * {@code external} one is not made: it must exist in Berth already, and a warning says so.
 *
 * <p>Secrets and Configs are cluster-wide objects while a compose file's names are its own, so a Berth name is the
 * stack's name, {@code -}, and the compose name, as a DNS label ({@code shop} + {@code db_password} →
 * {@code shop-db-password}); Swarm likewise names them {@code <project>_<name>}. External ones keep their own name
 * (as a DNS label).
 */
final class FileObjects {
    /** One declared secret or config: the Berth object services refer to, and whether this import makes it. */
    record Declared(String composeName, String berthName, boolean external) {
    }

    private final Diagnostics diagnostics;
    private final Nodes nodes;
    private final Path directory;
    private final Map<String, String> environment;
    private final String stack;
    private final boolean secrets;
    final Map<String, Declared> declared = new LinkedHashMap<>();
    final List<ObjectNode> documents = new ArrayList<>();

    /**
     * @param environment the variables an {@code environment:} source reads (the process's and {@code .env})
     * @param secrets     true for {@code secrets:}, false for {@code configs:}
     */
    FileObjects(Diagnostics diagnostics, Nodes nodes, Path directory, Map<String, String> environment, String stack,
                boolean secrets) {
        this.diagnostics = diagnostics;
        this.nodes = nodes;
        this.directory = directory;
        this.environment = environment;
        this.stack = stack;
        this.secrets = secrets;
    }

    private String section() {
        return secrets ? "secrets" : "configs";
    }

    private String kind() {
        return secrets ? "Secret" : "Config";
    }

    void read(ComposeNode node) {
        if (!(node instanceof ComposeNode.Mapping m)) {
            diagnostics.error(node, section(), "expected a mapping, got " + node.shape());
            return;
        }
        var taken = new HashMap<String, String>();
        for (ComposeNode.Entry entry : m.entries().values()) {
            String path = Paths.child(section(), entry.key());
            if (!(entry.value() instanceof ComposeNode.Mapping options)) {
                String expected = "expected a mapping with file, environment" + (secrets ? "" : ", content")
                        + " or external";
                if (entry.value().isNull()) {
                    diagnostics.error(entry, path, expected);
                } else {
                    diagnostics.error(entry.value(), path, expected + ", got " + entry.value().shape());
                }
                continue;
            }
            one(entry, options, path).ifPresent(d -> {
                String other = taken.putIfAbsent(d.berthName(), d.composeName());
                if (other != null) {
                    diagnostics.error(entry, path, "becomes the " + kind() + " \"" + d.berthName() + "\", the same "
                            + "name as " + section().substring(0, section().length() - 1) + " \"" + other + "\"");
                } else {
                    declared.put(entry.key(), d);
                }
            });
        }
    }

    private Optional<Declared> one(ComposeNode.Entry entry, ComposeNode.Mapping options, String path) {
        ComposeNode.Entry source = null;
        boolean external = false;
        String explicitName = null;
        ObjectNode labels = null;
        for (ComposeNode.Entry e : options.entries().values()) {
            String keyPath = Paths.child(path, e.key());
            if (e.value().isNull()) {
                continue;
            }
            switch (e.key()) {
                case "file", "environment" -> source = firstSource(source, e, keyPath);
                case "content" -> {
                    if (secrets) {
                        diagnostics.dropped(e, keyPath, "content is for configs only (Compose reads secrets from a "
                                + "file or an environment variable)");
                    } else {
                        source = firstSource(source, e, keyPath);
                    }
                }
                case "external" -> external = nodes.bool(e.value(), keyPath).orElse(false);
                case "name" -> explicitName = nodes.text(e.value(), keyPath).orElse(null);
                case "labels" -> {
                    labels = JsonNodeFactory.instance.objectNode();
                    for (Nodes.Valued kv : nodes.keyValues(e.value(), keyPath).values()) {
                        labels.put(kv.key(), kv.value() == null ? "" : kv.value());
                    }
                }
                default -> {
                    if (!e.key().startsWith("x-")) {
                        diagnostics.dropped(e, keyPath, "not supported (Swarm's drivers and templates have no "
                                + "counterpart)");
                    }
                }
            }
        }
        if (external) {
            return Optional.of(external(entry, path, explicitName == null ? entry.key() : explicitName));
        }
        String berthName = DnsNames.of(stack + "-" + entry.key());
        if (!berthName.equals(stack + "-" + entry.key())) {
            diagnostics.warn(entry, path, "becomes the " + kind() + " \"" + berthName + "\" (Berth names it <stack>-<name>"
                    + " as a DNS label; services refer to it by that name)");
        }
        if (explicitName != null) {
            diagnostics.warn(options.entries().get("name"), Paths.child(path, "name"), "the " + kind()
                    + " is named \"" + berthName + "\" by Berth; name \"" + explicitName + "\" dropped");
        }
        // Declared even when it cannot be read: the import fails on that error, and the services' references to it
        // should not add a second, misleading "not declared".
        Declared declared = new Declared(entry.key(), berthName, false);
        if (source == null) {
            diagnostics.error(entry, path, "needs file, environment" + (secrets ? "" : ", content")
                    + " or external: true");
            return Optional.of(declared);
        }
        String key = dataKey(entry.key());
        Optional<String> value = value(source, Paths.child(path, source.key()));
        if (value.isEmpty()) {
            return Optional.of(declared);
        }
        documents.add(document(berthName, labels, key, value.get()));
        if (secrets) {
            diagnostics.warn(entry, path, "the output holds this secret's value in plain text (stringData): berth "
                    + "apply encrypts it before it reaches etcd, but do not commit the output to git; commit "
                    + "berth create secret " + berthName + " --from-file " + key + "=<file> --dry-run -o yaml instead");
        }
        return Optional.of(declared);
    }

    private ComposeNode.Entry firstSource(ComposeNode.Entry first, ComposeNode.Entry e, String path) {
        if (first != null) {
            diagnostics.error(e, path, "only one of file, environment" + (secrets ? "" : ", content")
                    + " may be given (" + first.key() + " is, at line " + first.line() + ")");
            return first;
        }
        return e;
    }

    private Declared external(ComposeNode.Entry entry, String path, String name) {
        String berthName = DnsNames.of(name);
        String renamed = berthName.equals(name) ? "" : " (\"" + name + "\" as a DNS label)";
        String create = secrets ? "berth create secret " + berthName + " --from-file <key>=<file>"
                : "berth create config " + berthName + " --from-file <key>=<file>";
        diagnostics.warn(entry, path, "external: a " + kind() + " named \"" + berthName + "\"" + renamed
                + " must exist before the stack starts (" + create + "); not imported");
        return new Declared(entry.key(), berthName, true);
    }

    private Optional<String> value(ComposeNode.Entry source, String path) {
        Optional<String> text = nodes.text(source.value(), path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> value = switch (source.key()) {
            case "file" -> file(text.get(), source.value(), path);
            case "environment" -> {
                String v = environment.get(text.get());
                if (v == null) {
                    diagnostics.error(source.value(), path, "variable " + text.get() + " is not set (in the "
                            + "environment or .env), so the " + kind() + " has no value");
                }
                yield Optional.ofNullable(v);
            }
            default -> text; // content, already interpolated
        };
        if (value.isPresent()) {
            int bytes = DataRules.utf8Length(value.get());
            if (bytes > SecretSpec.MAX_VALUE_BYTES) {
                diagnostics.error(source.value(), path, "the value is " + bytes + " bytes; a " + kind()
                        + " value is at most " + SecretSpec.MAX_VALUE_BYTES + " bytes (500 KiB)");
                return Optional.empty();
            }
        }
        return value;
    }

    private Optional<String> file(String name, ComposeNode at, String path) {
        Path resolved;
        if (name.equals("~") || name.startsWith("~/")) {
            String home = environment.get("HOME");
            if (home == null) {
                diagnostics.error(at, path, "\"" + name + "\" needs HOME, which is not set");
                return Optional.empty();
            }
            resolved = Path.of(home).resolve(name.equals("~") ? "" : name.substring(2));
        } else {
            resolved = directory.resolve(name);
        }
        resolved = resolved.toAbsolutePath().normalize();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(resolved)) {
            bytes = in.readNBytes(SecretSpec.MAX_VALUE_BYTES + 1);
        } catch (NoSuchFileException e) {
            diagnostics.error(at, path, section().substring(0, section().length() - 1) + " file " + name
                    + " not found (" + resolved + ")");
            return Optional.empty();
        } catch (IOException e) {
            diagnostics.error(at, path, "cannot read " + resolved + ": " + e.getMessage());
            return Optional.empty();
        }
        if (bytes.length > SecretSpec.MAX_VALUE_BYTES) {
            diagnostics.error(at, path, resolved + " is larger than " + SecretSpec.MAX_VALUE_BYTES
                    + " bytes (500 KiB), the limit for one " + kind() + " value");
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            diagnostics.error(at, path, resolved + " is not UTF-8 text, which a " + kind() + " value must be");
            return Optional.empty();
        }
    }

    private ObjectNode document(String name, ObjectNode labels, String key, String value) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("apiVersion", "berth.dev/v1");
        doc.put("kind", kind());
        ObjectNode metadata = doc.putObject("metadata");
        metadata.put("name", name);
        if (labels != null && !labels.isEmpty()) {
            metadata.set("labels", labels);
        }
        doc.putObject("spec").putObject(secrets ? "stringData" : "data").put(key, value);
        return doc;
    }

    /** The compose name as a data key (the file's name when a service mounts the object): only safe characters. */
    static String dataKey(String composeName) {
        String key = composeName.replaceAll("[^-._a-zA-Z0-9]", "_");
        if (key.length() > DataRules.MAX_KEY_LENGTH) {
            key = key.substring(0, DataRules.MAX_KEY_LENGTH);
        }
        return DataRules.keyProblem(key).isPresent() ? "value" : key;
    }
}
