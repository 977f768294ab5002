package dev.berth.operator.manifests;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectSetCheck;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.operator.store.ResourceStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses and validates every file of a command; an object declared twice across files is an error too. */
public final class Manifests {
    private Manifests() {
    }

    public record Loaded(List<Resource> resources, List<ValidationError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        /**
         * These objects with the errors of the check across objects added: against {@code stored} (what etcd holds,
         * from {@link #storedForChecks}) or against nothing, which checks the files among themselves.
         */
        public Loaded crossChecked(List<Resource> stored) {
            List<ValidationError> all = new ArrayList<>(errors);
            all.addAll(ObjectSetCheck.standard().check(resources, stored));
            return new Loaded(resources, all);
        }

        /** Prints every error, one per line, and a count; returns false when there were any. */
        public boolean report(PrintWriter err) {
            for (ValidationError error : errors) {
                err.println(error);
            }
            if (!errors.isEmpty()) {
                err.println(errors.size() + (errors.size() == 1 ? " error" : " errors") + "; nothing was changed");
            }
            err.flush();
            return errors.isEmpty();
        }
    }

    public static Loaded load(ManifestParser parser, List<ManifestFiles.ManifestFile> files) {
        List<Resource> resources = new ArrayList<>();
        List<ValidationError> errors = new ArrayList<>();
        Map<String, Resource> seen = new HashMap<>();
        for (ManifestFiles.ManifestFile file : files) {
            ParseResult result = parser.parse(file.name(), file.content());
            errors.addAll(result.errors());
            for (Resource resource : result.resources()) {
                Resource first = seen.putIfAbsent(resource.key(), resource);
                if (first != null) {
                    errors.add(new ValidationError(resource.file(), resource.line(), 1, "metadata.name",
                            resource.key() + " is declared twice (first at " + first.file() + ":" + first.line() + ")"));
                } else {
                    resources.add(resource);
                }
            }
        }
        return new Loaded(resources, errors);
    }

    /** The stored objects the check across objects compares with: one listing per kind it reads, no more. */
    public static List<Resource> storedForChecks(ResourceStore store, Kinds kinds) {
        return ObjectSetCheck.standard().kinds().stream()
                .flatMap(kind -> kinds.all().stream().filter(k -> k.singular().equals(kind)))
                .flatMap(kind -> store.list(kind).stream())
                .flatMap(object -> object.resource().stream())
                .toList();
    }
}
