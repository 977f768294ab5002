package dev.berth.operator.cli;

import dev.berth.crds.FieldLocator;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.secrets.SecretKeySource;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code berth apply} does to Secrets before anything is written: plain {@code stringData} is encrypted into
 * {@code encryptedData} and the manifest re-rendered without it (so no plain text, not even a comment, reaches etcd),
 * and, when a key is at hand, every envelope must decrypt (a manifest made for another name or with another
 * cluster's key is refused here rather than failing later on every host). Errors point at file:line:column.
 */
final class SecretSealer {
    static final String SECRET = "Secret";

    /** The resources to write (Secrets replaced by their sealed form) or, if any, the errors. */
    record Sealed(List<Resource> resources, List<ValidationError> errors) {
        boolean ok() {
            return errors.isEmpty();
        }
    }

    private SecretSealer() {
    }

    static boolean anySecret(List<Resource> resources) {
        return resources.stream().anyMatch(r -> r.kind().kind().equals(SECRET));
    }

    static Sealed seal(List<Resource> resources, Optional<SecretKeyring> keyring) {
        List<Resource> out = new ArrayList<>();
        List<ValidationError> errors = new ArrayList<>();
        for (Resource resource : resources) {
            if (!resource.kind().kind().equals(SECRET)) {
                out.add(resource);
                continue;
            }
            List<ValidationError> own = new ArrayList<>();
            Resource sealed = seal(resource, keyring, own);
            errors.addAll(own);
            out.add(sealed);
        }
        return new Sealed(out, errors);
    }

    private static Resource seal(Resource resource, Optional<SecretKeyring> keyring, List<ValidationError> errors) {
        SecretSpec spec = resource.spec(SecretSpec.class);
        String name = resource.metadata().name();
        FieldLocator where = FieldLocator.of(resource);
        if (keyring.isPresent()) {
            spec.encryptedData().forEach((key, envelope) -> {
                try {
                    keyring.get().decrypt(name, key, envelope);
                } catch (SecretKeyException e) {
                    errors.add(where.at(dataPath("encryptedData", key), e.getMessage()));
                }
            });
        }
        if (!spec.hasPlainValues()) {
            return resource;
        }
        if (keyring.isEmpty()) {
            errors.add(where.at("spec.stringData", "secret/" + name + " has plain values (stringData), which berth"
                    + " apply encrypts with the cluster key, but no key file was given: give --secret-key-file FILE"
                    + " or set " + SecretKeySource.ENVIRONMENT));
            return resource;
        }
        Map<String, String> encrypted = new TreeMap<>(spec.encryptedData());
        // Keys, sizes and a key in both maps were refused by the manifest's checks (SecretCheck) before this.
        spec.stringData().forEach((key, value) -> {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            encrypted.put(key, keyring.get().encrypt(name, key, bytes));
            Arrays.fill(bytes, (byte) 0);
        });
        SecretSpec sealedSpec = new SecretSpec(spec.type(), encrypted, null, spec.registry());
        String yaml = DataManifests.secret(name, resource.metadata().labels(), resource.metadata().annotations(),
                spec.type(), spec.registry(), encrypted).yaml();
        tooBig(name, yaml).ifPresent(problem -> errors.add(where.at("spec.stringData", problem)));
        return new Resource(resource.apiVersion(), resource.kind(), resource.metadata(), sealedSpec, yaml,
                resource.file(), resource.line());
    }

    /**
     * Secrets whose stored values decrypt to exactly what is applied (same labels, annotations and type) are replaced
     * by the stored object, so new random nonces alone do not make them "configured" and roll nothing. Without a key
     * the comparison is the ciphertext's, as for every kind.
     */
    static List<Resource> keepUnchanged(List<Resource> resources, ResourceStore store, Optional<SecretKeyring> keyring) {
        if (keyring.isEmpty()) {
            return resources;
        }
        List<Resource> out = new ArrayList<>();
        for (Resource resource : resources) {
            if (!resource.kind().kind().equals(SECRET)) {
                out.add(resource);
                continue;
            }
            Optional<Resource> stored = store.get(resource.kind(), resource.metadata().name())
                    .flatMap(StoredObject::resource);
            out.add(stored.filter(s -> sameContent(s, resource, keyring.get())).orElse(resource));
        }
        return out;
    }

    private static boolean sameContent(Resource stored, Resource applied, SecretKeyring keyring) {
        SecretSpec a = stored.spec(SecretSpec.class);
        SecretSpec b = applied.spec(SecretSpec.class);
        if (a.hasPlainValues() || b.hasPlainValues() || !stored.metadata().equals(applied.metadata())
                || !a.type().equals(b.type()) || !a.encryptedData().keySet().equals(b.encryptedData().keySet())) {
            return false;
        }
        String name = applied.metadata().name();
        for (String key : a.encryptedData().keySet()) {
            try {
                byte[] x = keyring.decrypt(name, key, a.encryptedData().get(key));
                byte[] y = keyring.decrypt(name, key, b.encryptedData().get(key));
                boolean same = java.security.MessageDigest.isEqual(x, y);
                Arrays.fill(x, (byte) 0);
                Arrays.fill(y, (byte) 0);
                if (!same) {
                    return false;
                }
            } catch (SecretKeyException e) {
                return false; // a stored value this key cannot open is replaced by the applied one
            }
        }
        return true;
    }

    /** A stored object must parse again (operators read it): encrypted values are about a third larger. */
    static Optional<String> tooBig(String name, String yaml) {
        int bytes = yaml.getBytes(StandardCharsets.UTF_8).length;
        return bytes <= dev.berth.crds.ManifestParser.maxBytes() ? Optional.empty()
                : Optional.of("secret/" + name + " would be " + bytes + " bytes once encrypted; an object holds at most "
                        + dev.berth.crds.ManifestParser.maxBytes() + ": split the values into several Secrets");
    }

    private static String dataPath(String field, String key) {
        // A key with a dot would read as a deeper path: point at the map instead.
        return "spec." + field + (key.contains(".") ? "" : "." + key);
    }
}
