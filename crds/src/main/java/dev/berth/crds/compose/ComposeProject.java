package dev.berth.crds.compose;

import java.util.function.Function;

/**
 * A compose project as compose-go's loader builds it: each file read, interpolated and its {@code extends}
 * resolved on its own, then merged over the files before it ({@link ComposeMerge}). Every value keeps the file
 * it came from, so messages name the right file.
 */
final class ComposeProject {
    private final Diagnostics diagnostics;
    private final Function<String, String> lookup;

    /** @param lookup the variables for interpolation (process, then {@code .env}) */
    ComposeProject(Diagnostics diagnostics, Function<String, String> lookup) {
        this.diagnostics = diagnostics;
        this.lookup = lookup;
    }

    ComposeNode.Mapping load(ComposeInput input) {
        ComposeNode.Mapping merged = null;
        for (ComposeInput.File file : input.files()) {
            ComposeNode.Mapping root = read(file.name(), file.text());
            ComposeTags tags = ComposeTags.of(file.name(), file.text());
            // Relative paths in every file of the project are the project folder's (Compose: the first file's).
            root = new Extends(diagnostics, this::read).apply(root, file, input.directory(), tags);
            ComposeMerge merge = new ComposeMerge(diagnostics.inFile(file.name()), tags);
            merged = merged == null ? (ComposeNode.Mapping) merge.strip(root) : merge.merge(merged, root, "");
        }
        return merged;
    }

    /** One file read, interpolated with its own name in messages, and marked as its. */
    private ComposeNode.Mapping read(String name, String text) {
        ComposeNode parsed = new ComposeYamlReader().read(name, text);
        if (!(parsed instanceof ComposeNode.Mapping raw)) {
            throw new ComposeException(new ComposeProblem(name, parsed.line(), parsed.column(), "",
                    "a compose file is a mapping with services:, got " + parsed.shape()));
        }
        var interpolation = new Interpolation(lookup, diagnostics.inFile(name));
        return (ComposeNode.Mapping) ComposeNode.inFile(interpolation.apply(raw, ""), name);
    }
}
