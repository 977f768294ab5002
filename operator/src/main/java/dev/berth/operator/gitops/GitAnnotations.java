package dev.berth.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The annotations every synced object carries (its source, commit, and the manifest file's path in the repository,
 * which a relative build context is resolved from), put into the YAML text the person wrote. For block-style
 * {@code metadata:} (the usual way) the text is kept as written and lines are added under
 * {@code metadata.annotations}; anything else (flow style, odd indentation) is re-serialised cleanly by Jackson,
 * which loses comments. The caller re-parses the result and checks it means the same object.
 */
public final class GitAnnotations {
    public static final String SOURCE = "berth.dev/gitsource";
    public static final String COMMIT = "berth.dev/commit";
    /** The manifest file the object came from, as a path in the repository ({@code deploy/web/stack.yaml}). */
    public static final String PATH = "berth.dev/path";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    private static final Pattern METADATA = Pattern.compile("^metadata:[ \\t]*(#.*)?$");
    private static final Pattern KEY_LINE = Pattern.compile("^([ ]+)([A-Za-z0-9_.\\-/\"']+):(.*)$");
    private static final Pattern OURS = Pattern.compile("^[ ]+[\"']?berth\\.dev/(gitsource|commit|path)[\"']?:.*$");

    private GitAnnotations() {
    }

    /** The document text with this source's annotations set (replacing any earlier values of them). */
    public static String inject(String yaml, String source, String commit) {
        return inject(yaml, source, commit, null);
    }

    /** As {@link #inject(String, String, String)}, with the manifest's path too (none when null). */
    public static String inject(String yaml, String source, String commit, String path) {
        return injectKeepingText(yaml, source, commit, path).orElseGet(() -> reserialise(yaml, source, commit, path));
    }

    static Optional<String> injectKeepingText(String yaml, String source, String commit, String path) {
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        int meta = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (METADATA.matcher(lines.get(i)).matches()) {
                meta = i;
                break;
            }
        }
        if (meta < 0) {
            return Optional.empty();
        }
        String indent = null;
        int annotations = -1;
        int end = lines.size();
        for (int i = meta + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (!line.startsWith(" ")) {
                end = i;
                break;
            }
            Matcher key = KEY_LINE.matcher(line);
            if (indent == null) {
                if (!key.matches()) {
                    return Optional.empty();
                }
                indent = key.group(1);
            }
            if (key.matches() && key.group(1).equals(indent) && key.group(2).equals("annotations")) {
                String rest = key.group(3).strip();
                if (!rest.isEmpty() && !rest.startsWith("#")) {
                    return Optional.empty(); // flow style or {}: let Jackson do it
                }
                annotations = i;
            }
        }
        if (indent == null) {
            return Optional.empty();
        }
        String entry = indent + indent;
        List<String> ours = new ArrayList<>(List.of(entry + SOURCE + ": \"" + source + "\"",
                entry + COMMIT + ": \"" + commit + "\""));
        if (path != null) {
            ours.add(entry + PATH + ": " + quoted(path));
        }
        if (annotations < 0) {
            List<String> block = new ArrayList<>();
            block.add(indent + "annotations:");
            block.addAll(ours);
            lines.addAll(meta + 1, block);
        } else {
            int i = annotations + 1;
            while (i < end) {
                String line = lines.get(i);
                if (!line.isBlank() && !line.startsWith(indent + " ") && !line.stripLeading().startsWith("#")) {
                    break;
                }
                if (OURS.matcher(line).matches()) {
                    lines.remove(i);
                    end--;
                } else {
                    i++;
                }
            }
            lines.addAll(annotations + 1, ours);
        }
        return Optional.of(String.join("\n", lines));
    }

    /** A double-quoted YAML scalar: a repository path may hold any character. */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String reserialise(String yaml, String source, String commit, String path) {
        try {
            JsonNode root = YAML.readTree(yaml);
            ObjectNode metadata = root.withObjectProperty("metadata");
            ObjectNode annotations = metadata.withObjectProperty("annotations");
            annotations.put(SOURCE, source);
            annotations.put(COMMIT, commit);
            if (path != null) {
                annotations.put(PATH, path);
            } else {
                annotations.remove(PATH);
            }
            return YAML.writeValueAsString(root);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot add annotations: " + e.getMessage(), e);
        }
    }

    /** metadata.annotations of a stored text, read leniently (works for text that fails validation too). */
    public static Map<String, String> read(String yaml) {
        Map<String, String> out = new TreeMap<>();
        try {
            JsonNode annotations = YAML.readTree(yaml).path("metadata").path("annotations");
            annotations.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (Exception | StackOverflowError e) {
            // unreadable text: no annotations, so it belongs to nobody
        }
        return out;
    }
}
