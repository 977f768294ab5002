package dev.berth.crds.compose;

import dev.berth.crds.yaml.ExpansionBudget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Compose's {@code extends} (compose-go loader/extends.go): a service starts from another service of the same file
 * or of {@code file:}, and its own keys merge over that service's by the rules of {@link ComposeMerge}. The other
 * file's relative paths are its own folder's, so they are rebased onto the project folder. A chain that comes back
 * to a service it passed is an error at the {@code extends} that closes it.
 */
final class Extends {
    private final Diagnostics diagnostics;
    /** Reads another file's text: (name for messages, text) → the file, interpolated and marked. */
    private final BiFunction<String, String, ComposeNode.Mapping> reader;
    private final ExpansionBudget budget;
    /** Other files by path, each read and resolved once: many services may start from one file's services. */
    private final Map<Path, OneFile> otherFiles = new HashMap<>();
    /** A service of another file rebased onto the project folder, by the file's path, the service and the folder. */
    private final Map<String, ComposeNode> rebased = new HashMap<>();

    /**
     * @param budget what the merged services may add up to: each service holds its whole chain, so a long chain
     *               of small services grows with the square of its length
     */
    Extends(Diagnostics diagnostics, BiFunction<String, String, ComposeNode.Mapping> reader, ExpansionBudget budget) {
        this.diagnostics = diagnostics;
        this.reader = reader;
        this.budget = budget;
    }

    /**
     * The file with every {@code extends} resolved.
     *
     * @param source the file: its name in messages, and where it is (to find a chain through other files)
     * @param folder the folder its relative paths and {@code file:} references are relative to (for the project's
     *               files the project folder, as in Compose)
     */
    ComposeNode.Mapping apply(ComposeNode.Mapping root, ComposeInput.File source, Path folder, ComposeTags tags) {
        ComposeNode.Entry servicesEntry = root.entries().get("services");
        if (servicesEntry == null || !(servicesEntry.value() instanceof ComposeNode.Mapping services)) {
            return root;
        }
        Path at = source.directory().resolve(String.valueOf(Path.of(source.name()).getFileName()));
        var file = new OneFile(source.name(), at, folder, services, tags);
        var resolved = new LinkedHashMap<String, ComposeNode.Entry>();
        services.entries().forEach((key, e) -> resolved.put(key, new ComposeNode.Entry(key, e.line(), e.column(),
                file.service(key, new ArrayList<>()), e.file())));
        var entries = new LinkedHashMap<>(root.entries());
        entries.put("services", new ComposeNode.Entry("services", servicesEntry.line(), servicesEntry.column(),
                new ComposeNode.Mapping(services.line(), services.column(), resolved, services.file()),
                servicesEntry.file()));
        return new ComposeNode.Mapping(root.line(), root.column(), entries, root.file());
    }

    /** The size {@link ExpansionBudget} counts: one per value, plus the characters of keys and scalars. */
    private static long size(ComposeNode node) {
        if (node instanceof ComposeNode.Mapping m) {
            long size = 1;
            for (ComposeNode.Entry e : m.entries().values()) {
                size += e.key().length() + size(e.value());
            }
            return size;
        }
        if (node instanceof ComposeNode.Sequence s) {
            long size = 1;
            for (ComposeNode item : s.items()) {
                size += size(item);
            }
            return size;
        }
        return 1 + ((ComposeNode.Scalar) node).text().length();
    }

    /** The services of one file and those already resolved. */
    private final class OneFile {
        private final String name;
        private final Path path;
        private final Path folder;
        private final ComposeNode.Mapping services;
        private final ComposeTags tags;
        private final Map<String, ComposeNode> done = new HashMap<>();

        OneFile(String name, Path path, Path folder, ComposeNode.Mapping services, ComposeTags tags) {
            this.name = name;
            this.path = path;
            this.folder = folder;
            this.services = services;
            this.tags = tags;
        }

        /**
         * @param chain the services passed on the way here (the file's path, a tab, the service), to find a cycle
         *              also through other files
         */
        ComposeNode service(String service, List<String> chain) {
            ComposeNode known = done.get(service);
            if (known != null) {
                return known;
            }
            ComposeNode value = services.entries().get(service).value();
            if (!(value instanceof ComposeNode.Mapping mapping) || mapping.get("extends") == null) {
                return value;
            }
            String path = Paths.child(Paths.child("services", service), "extends");
            ComposeNode.Entry extendsEntry = mapping.entries().get("extends");
            String step = this.path + "\t" + service;
            if (chain.contains(step)) {
                List<String> cycle = new ArrayList<>(chain.subList(chain.indexOf(step), chain.size()));
                cycle.add(step);
                throw diagnostics.stop(extendsEntry, path, "extends goes round in a cycle: "
                        + String.join(" -> ", cycle.stream().map(s -> s.substring(s.indexOf('\t') + 1)).toList()));
            }
            chain.add(step);
            ComposeNode base = base(mapping.get("extends"), service, path, chain);
            chain.remove(chain.size() - 1);
            var own = new LinkedHashMap<>(mapping.entries());
            own.remove("extends");
            ComposeNode.Mapping merged = new ComposeMerge(diagnostics, tags).merge((ComposeNode.Mapping) base,
                    new ComposeNode.Mapping(mapping.line(), mapping.column(), own, mapping.file()),
                    Paths.child("services", service));
            // The place of the service is the extending one's: that is where a person looks for it.
            ComposeNode.Mapping result = new ComposeNode.Mapping(mapping.line(), mapping.column(), merged.entries(),
                    mapping.file());
            if (!budget.spend(size(result))) {
                throw diagnostics.stop(extendsEntry, path, "with its extends chain resolved the project would be "
                        + "larger than " + budget.limit() + " (values and characters; a very long extends chain?)");
            }
            done.put(service, result);
            return result;
        }

        private ComposeNode base(ComposeNode spec, String service, String path, List<String> chain) {
            String ref;
            ComposeNode fileNode = null;
            if (spec instanceof ComposeNode.Mapping m) {
                ComposeNode refNode = m.get("service");
                if (!(refNode instanceof ComposeNode.Scalar s)) {
                    throw diagnostics.stop(spec, path, "extends needs service: the service to start from");
                }
                ref = s.text();
                fileNode = m.get("file");
            } else if (spec instanceof ComposeNode.Scalar s) {
                ref = s.text();
            } else {
                throw diagnostics.stop(spec, path, "expected a service name or a mapping with service:, got "
                        + spec.shape());
            }
            ComposeNode base;
            if (fileNode != null) {
                if (!(fileNode instanceof ComposeNode.Scalar f)) {
                    throw diagnostics.stop(fileNode, Paths.child(path, "file"), "expected a file name, got "
                            + fileNode.shape());
                }
                Path other = folder.resolve(f.text()).normalize();
                String otherName = shown(f.text());
                OneFile file = otherFiles.get(other);
                if (file == null) {
                    String text = text(other, otherName, f);
                    ComposeNode.Mapping root = reader.apply(otherName, text);
                    ComposeNode.Mapping otherServices = root.get("services") instanceof ComposeNode.Mapping m ? m
                            : new ComposeNode.Mapping(root.line(), root.column(), Map.of(), root.file());
                    file = new OneFile(otherName, other, other.getParent(), otherServices,
                            ComposeTags.of(otherName, text));
                    otherFiles.put(other, file);
                }
                if (!file.services.entries().containsKey(ref)) {
                    throw diagnostics.stop(spec, path, "service \"" + ref + "\" not found in " + otherName);
                }
                String key = other + "\t" + ref + "\t" + folder;
                base = rebased.get(key);
                if (base == null) {
                    // Compose applies a file's !reset/!override when it loads it, the file extended from included.
                    ComposeNode own = new ComposeMerge(diagnostics, file.tags).strip(file.service(ref, chain));
                    base = new Rebase(other.getParent(), folder).service(own);
                    rebased.put(key, base);
                }
            } else {
                if (!services.entries().containsKey(ref)) {
                    throw diagnostics.stop(spec, path, "service \"" + ref + "\" not found in " + name);
                }
                base = service(ref, chain);
            }
            if (!(base instanceof ComposeNode.Mapping)) {
                throw diagnostics.stop(spec, path, "service \"" + ref + "\" is not a mapping");
            }
            return base;
        }

        /** The other file's text; a file that cannot be read is an error at the {@code file:} naming it. */
        private String text(Path file, String shownAs, ComposeNode.Scalar at) {
            try {
                return ComposeFiles.read(file, shownAs);
            } catch (ComposeException e) {
                throw diagnostics.stop(at, "", "extends file " + shownAs + ": " + e.problem().message());
            }
        }

        /** The other file's name as messages give it: next to this file's name. */
        private String shown(String reference) {
            Path parent = Path.of(name).getParent();
            return (parent == null ? Path.of(reference) : parent.resolve(reference)).normalize().toString();
        }
    }
}
