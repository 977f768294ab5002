package dev.berth.crds.compose;

import dev.berth.crds.yaml.ExpansionBudget;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A compose project as compose-go's loader builds it: each file read document by document, each document
 * interpolated and its {@code extends} resolved on its own, then merged over what came before ({@link ComposeMerge}).
 * Every value keeps the file it came from, so messages name the right file.
 */
final class ComposeProject {
    private final Diagnostics diagnostics;
    private final Function<String, String> lookup;
    private final ExpansionBudget budget;

    /**
     * @param lookup the variables for interpolation (process, then {@code .env})
     * @param budget what interpolation and {@code extends} may produce in this import
     */
    ComposeProject(Diagnostics diagnostics, Function<String, String> lookup, ExpansionBudget budget) {
        this.diagnostics = diagnostics;
        this.lookup = lookup;
        this.budget = budget;
    }

    ComposeNode.Mapping load(ComposeInput input) {
        ComposeNode.Mapping merged = null;
        // One Extends for the project: a file or service reached from many places is read and resolved once.
        Extends extendsResolver = new Extends(diagnostics, this::readWhole, budget);
        for (ComposeInput.File file : input.files()) {
            List<ComposeNode.Mapping> documents = read(file.name(), file.text());
            if (documents.isEmpty()) {
                if (merged == null) {
                    throw new ComposeException(new ComposeProblem(file.name(), 1, 1, "", "the file is empty"));
                }
                // compose-go skips a file without content; said, because an empty override is often a mistake.
                diagnostics.warnIn(file.name(), 1, 1, "", "the file is empty; skipped, as Compose does");
                continue;
            }
            ComposeTags tags = ComposeTags.of(file.name(), file.text());
            ComposeMerge merge = new ComposeMerge(diagnostics.inFile(file.name()), tags);
            for (ComposeNode.Mapping document : documents) {
                // Relative paths in every file of the project are the project folder's (Compose: the first file's).
                ComposeNode.Mapping root = extendsResolver.apply(document, file, input.directory(), tags);
                merged = merged == null ? (ComposeNode.Mapping) merge.strip(root) : merge.merge(merged, root, "");
            }
        }
        return merged;
    }

    /** A file {@code extends} names: its documents merged in order. */
    private ComposeNode.Mapping readWhole(String name, String text) {
        List<ComposeNode.Mapping> documents = read(name, text);
        if (documents.isEmpty()) {
            throw new ComposeException(new ComposeProblem(name, 1, 1, "", "the file is empty"));
        }
        ComposeMerge merge = new ComposeMerge(diagnostics.inFile(name), ComposeTags.none());
        ComposeNode.Mapping merged = (ComposeNode.Mapping) merge.strip(documents.get(0));
        for (ComposeNode.Mapping document : documents.subList(1, documents.size())) {
            merged = merge.merge(merged, document, "");
        }
        return merged;
    }

    /** One file's documents, each interpolated with the file's name in messages, and marked as its. */
    private List<ComposeNode.Mapping> read(String name, String text) {
        List<ComposeNode.Mapping> documents = new ArrayList<>();
        for (ComposeNode parsed : new ComposeYamlReader().documents(name, text)) {
            if (!(parsed instanceof ComposeNode.Mapping raw)) {
                // Only the kind: a file that is not YAML (a key, a certificate) reads as one string, never shown.
                throw new ComposeException(new ComposeProblem(name, parsed.line(), parsed.column(), "",
                        "a compose file is a mapping with services:, got " + kind(parsed)));
            }
            var interpolation = new Interpolation(lookup, diagnostics.inFile(name), budget);
            documents.add((ComposeNode.Mapping) ComposeNode.inFile(interpolation.apply(raw, ""), name));
        }
        return documents;
    }

    private static String kind(ComposeNode node) {
        if (node instanceof ComposeNode.Sequence) {
            return "a list";
        }
        return switch (((ComposeNode.Scalar) node).type()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> "a string";
        };
    }
}
