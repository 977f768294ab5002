package dev.berth.crds;

import dev.berth.crds.yaml.ExpansionBudget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * Reads a manifest file (one or more YAML documents) into validated {@link Resource}s, reporting every problem of
 * the file with its line and column. Thread-safe: it holds only immutable configuration.
 */
public final class ManifestParser {
    private final DocumentReader documents;

    public ManifestParser(Kinds kinds) {
        this(kinds, SpecChecks.standard());
    }

    public ManifestParser(Kinds kinds, List<SpecCheck<?>> checks) {
        this.documents = new DocumentReader(kinds, new Schemas(kinds), checks);
    }

    public ParseResult parse(String file, byte[] content) {
        Problems problems = new Problems(file);
        return ManifestText.decode(content, problems)
                .map(text -> parseText(text, problems))
                .orElseGet(() -> new ParseResult(List.of(), problems.sorted()));
    }

    public ParseResult parse(String file, String content) {
        Problems problems = new Problems(file);
        return ManifestText.check(content, problems)
                .map(text -> parseText(text, problems))
                .orElseGet(() -> new ParseResult(List.of(), problems.sorted()));
    }

    private ParseResult parseText(String text, Problems problems) {
        var reader = new YamlTreeReader();
        var budget = ExpansionBudget.forFileLimit(ManifestText.MAX_BYTES);
        var resources = new ArrayList<Resource>();
        var firstLineByKey = new HashMap<String, Integer>();
        int nonEmpty = 0;
        for (DocumentSplitter.Document document : DocumentSplitter.split(text)) {
            String documentPath = "(document " + document.number() + ")";
            int before = problems.count();
            Optional<YamlNode> root = reader.read(document.parseText(), document.firstLine() - 1, documentPath, budget,
                    problems);
            if (root.isEmpty()) {
                nonEmpty += problems.count() > before ? 1 : 0; // a syntax error still counts as a document
                continue;
            }
            nonEmpty++;
            Optional<Resource> resource = documents.read(root.get(), document, problems);
            if (problems.count() > before || resource.isEmpty()) {
                continue;
            }
            YamlNode at = nameNode(root.get());
            Integer first = firstLineByKey.putIfAbsent(resource.get().key(), at.line());
            if (first != null) {
                problems.at(at, "metadata.name", "duplicate " + resource.get().kind().kind() + " \""
                        + resource.get().metadata().name() + "\" in this file (first at line " + first + ")");
                continue;
            }
            resources.add(resource.get());
        }
        if (nonEmpty == 0) {
            problems.add(1, 1, "", "file has no documents");
        }
        return new ParseResult(resources, problems.sorted());
    }

    private static YamlNode nameNode(YamlNode root) {
        if (root instanceof YamlNode.Mapping mapping && mapping.get("metadata") instanceof YamlNode.Mapping meta
                && meta.get("name") != null) {
            return meta.get("name");
        }
        return root;
    }

    /** The size limit, for callers that want to refuse a file before reading it. */
    public static int maxBytes() {
        return ManifestText.MAX_BYTES;
    }
}
