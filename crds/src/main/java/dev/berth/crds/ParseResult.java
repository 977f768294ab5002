package dev.berth.crds;

import java.util.List;

/** What a manifest file held: the valid resources and every error found, in file order. */
public record ParseResult(List<Resource> resources, List<ValidationError> errors) {
    public ParseResult {
        resources = List.copyOf(resources);
        errors = List.copyOf(errors);
    }

    /** True when the file had no errors at all; callers should not apply a file partly. */
    public boolean ok() {
        return errors.isEmpty();
    }
}
