package dev.berth.crds.secret;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import dev.berth.crds.stack.ImageReference;

import java.util.Set;
import java.util.TreeSet;

/**
 * A Secret of type Registry is a login: the registry's host as image references name it (matched against each
 * image's registry, so a scheme or path would never match) and exactly {@code username} and {@code password}.
 * {@code registry} on any other type would be ignored, which a reader could not tell: it is an error.
 */
public final class RegistrySecretCheck implements SpecCheck<SecretSpec> {
    private static final Set<String> KEYS = Set.of(SecretSpec.USERNAME_KEY, SecretSpec.PASSWORD_KEY);

    @Override
    public Class<SecretSpec> specType() {
        return SecretSpec.class;
    }

    @Override
    public void check(SecretSpec spec, CheckContext context) {
        if (!spec.isRegistry()) {
            if (spec.registry() != null) {
                context.error("spec.registry", "registry is for a Secret of type Registry; set type: Registry, or "
                        + "drop registry");
            }
            return;
        }
        if (spec.registry() == null) {
            context.error("spec.type", "a Secret of type Registry needs spec.registry: the registry's host as images "
                    + "name it, like registry.example.com, 10.0.0.5:5000 or docker.io");
        } else {
            ImageReference.hostProblem(spec.registry()).ifPresent(p -> context.error("spec.registry", p));
        }
        for (String key : spec.keys()) {
            if (!KEYS.contains(key)) {
                String map = spec.encryptedData().containsKey(key) ? "spec.encryptedData" : "spec.stringData";
                context.errorAtKey(map, key, "a Secret of type Registry holds only the keys username and password; "
                        + "\"" + key + "\" is not one of them");
            }
        }
        Set<String> missing = new TreeSet<>(KEYS);
        missing.removeAll(spec.keys());
        if (!missing.isEmpty() && !spec.keys().isEmpty()) {
            context.error("spec", "a Secret of type Registry needs the keys username and password; missing: "
                    + String.join(", ", missing));
        }
    }
}
