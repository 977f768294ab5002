package dev.berth.crds;

import java.util.Optional;

/**
 * Where a field of a valid {@link Resource} was written, for messages given after parsing (warnings at apply) in
 * the same {@code file:line:column: path: message} shape as validation errors, so editors jump to them too.
 */
public final class FieldLocator {
    private final Resource resource;
    private final YamlNode root;

    private FieldLocator(Resource resource, YamlNode root) {
        this.resource = resource;
        this.root = root;
    }

    /** Reads the resource's own text again; a resource that parsed once parses again, so this does not fail. */
    public static FieldLocator of(Resource resource) {
        Problems ignored = new Problems(resource.file());
        Optional<YamlNode> root = new YamlTreeReader().read(resource.yaml(), resource.line() - 1, "", ignored);
        return new FieldLocator(resource, root.orElse(null));
    }

    /**
     * {@code message} at the field {@code path} (e.g. {@code spec.services[0].volumes[1]}), or at the nearest
     * enclosing value that was written when the field was left out (a default).
     */
    public ValidationError at(String path, String message) {
        if (root == null) {
            return new ValidationError(resource.file(), resource.line(), 1, path, message);
        }
        YamlNode node = CheckContext.locate(root, path);
        return new ValidationError(resource.file(), node.line(), node.column(), path, message);
    }
}
