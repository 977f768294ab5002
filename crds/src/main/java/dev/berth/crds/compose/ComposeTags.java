package dev.berth.crds.compose;

import dev.berth.crds.yaml.YamlProblem;
import dev.berth.crds.yaml.YamlReadException;
import dev.berth.crds.yaml.YamlTags;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code !reset} and {@code !override} tags of one compose file, by the place of the tagged value. Compose
 * (loader/reset.go) reads them from the YAML tree; Jackson reports a tag as the value's type id, so one pass over
 * the tokens finds them at the same places the {@link ComposeYamlReader} gives the values.
 */
final class ComposeTags {
    enum Tag { RESET, OVERRIDE }

    private final Map<Long, Tag> tags;
    private final String file;

    private ComposeTags(String file, Map<Long, Tag> tags) {
        this.file = file;
        this.tags = tags;
    }

    static ComposeTags none() {
        return new ComposeTags(null, Map.of());
    }

    /**
     * The tags of a file the reader already accepted, read with the reader's own parser (an alias as a key
     * included). A file whose tags cannot be read is an error: without them a {@code !reset} would silently merge.
     */
    static ComposeTags of(String file, String text) {
        Map<Long, Tag> found = new HashMap<>();
        try {
            new YamlTags().read(text).forEach((place, id) -> {
                Tag tag = "reset".equals(id) ? Tag.RESET : "override".equals(id) ? Tag.OVERRIDE : null;
                if (tag != null) {
                    found.put(place, tag);
                }
            });
        } catch (YamlReadException e) {
            YamlProblem p = e.problem();
            throw new ComposeException(new ComposeProblem(file, p.line(), p.column(), p.path(), p.message()));
        }
        return new ComposeTags(file, found);
    }

    boolean isEmpty() {
        return tags.isEmpty();
    }

    /** The tag of a value of this file, or null. */
    Tag of(ComposeNode node) {
        if (tags.isEmpty() || !java.util.Objects.equals(node.file(), file)) {
            return null;
        }
        return tags.get(YamlTags.place(node.line(), node.column()));
    }
}
