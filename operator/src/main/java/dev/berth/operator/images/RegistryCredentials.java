package dev.berth.operator.images;

import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.secrets.SecretKeyException;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.ImageRef;
import dev.berth.reconcilers.docker.RegistryAuth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logins for image registries: the Secrets of type Registry (from the desired cache, as etcd holds them), the one
 * whose {@code spec.registry} names the image's registry, decrypted with the operator's keyring each time one is
 * asked for, so an edited Secret or a rotated key file counts at the next pull without a restart. Several Secrets for
 * one registry: the first by name wins (one warning each time the set changes).
 */
public final class RegistryCredentials {
    private static final Logger log = LoggerFactory.getLogger(RegistryCredentials.class);
    /** Docker Hub's other names: a Secret may use any of them, image references say docker.io. */
    private static final List<String> DOCKER_HUB_ALIASES = List.of("index.docker.io", "registry-1.docker.io",
            "registry.hub.docker.com");

    private final Supplier<? extends Collection<String>> names;
    private final Function<String, Optional<StoredObject>> secrets;
    private final OperatorKeyring keyring;
    /** Per registry, the names of the Secrets last found for it, so a duplicate is warned about once. */
    private final Map<String, List<String>> warned = new ConcurrentHashMap<>();

    /** A matching Secret whose login cannot be read; the message names the Secret, never a value. */
    public static final class Unusable extends Exception {
        public Unusable(String message) {
            super(message);
        }
    }

    public RegistryCredentials(DesiredInformer secrets, OperatorKeyring keyring) {
        this(secrets::names, secrets::get, keyring);
    }

    RegistryCredentials(Supplier<? extends Collection<String>> names, Function<String, Optional<StoredObject>> secrets,
                        OperatorKeyring keyring) {
        this.names = names;
        this.secrets = secrets;
        this.keyring = keyring;
    }

    /** No Secrets at all: every pull is anonymous (tests, and a CLI that only looks). */
    public static RegistryCredentials none() {
        return new RegistryCredentials(List::of, name -> Optional.empty(), new OperatorKeyring(Optional.empty()));
    }

    /** The login for the registry of {@code imageRef} ({@link ImageRef#registry()}). */
    public Optional<RegistryAuth> forImage(String imageRef) throws Unusable {
        return forRegistry(ImageRef.parse(imageRef).registry());
    }

    /**
     * The login for {@code registryHost} ({@code host[:port]} as image references name it), or empty when no Secret
     * names that registry (the pull is then anonymous).
     *
     * An invalid Secret (e.g. without a password: berth apply refuses it, its errors are in its own status) names no
     * registry and is skipped.
     *
     * @throws Unusable when the matching Secret cannot give a login (the key file lacks its key, it holds plain
     *                  stringData): the pull fails with that reason rather than going anonymous
     */
    public Optional<RegistryAuth> forRegistry(String registryHost) throws Unusable {
        String wanted = canonical(registryHost);
        List<String> matching = new ArrayList<>();
        SecretSpec chosen = null;
        // Sorted: "first by name" must not depend on the cache's order. An invalid Secret (its errors are in its
        // own status) names no registry we could trust, so it is skipped.
        for (String name : new TreeSet<>(names.get())) {
            Optional<SecretSpec> spec = secrets.apply(name).flatMap(StoredObject::resource)
                    .map(r -> r.spec(SecretSpec.class))
                    .filter(s -> s.isRegistry() && s.registry() != null && canonical(s.registry()).equals(wanted));
            if (spec.isPresent()) {
                matching.add(name);
                chosen = chosen == null ? spec.get() : chosen;
            }
        }
        warnOnDuplicates(wanted, matching);
        return chosen == null ? Optional.empty() : Optional.of(login(matching.get(0), registryHost, chosen));
    }

    private RegistryAuth login(String name, String registryHost, SecretSpec spec) throws Unusable {
        if (spec.hasPlainValues()) {
            throw new Unusable("registry credential secret/" + name + " holds plain stringData in etcd: write it with"
                    + " berth apply or berth create secret registry, which encrypt it");
        }
        return new RegistryAuth(registryHost, value(name, spec, SecretSpec.USERNAME_KEY),
                value(name, spec, SecretSpec.PASSWORD_KEY));
    }

    private String value(String name, SecretSpec spec, String key) throws Unusable {
        String envelope = spec.encryptedData().get(key);
        if (envelope == null) {
            throw new Unusable("registry credential secret/" + name + " has no key \"" + key + "\"");
        }
        try {
            return new String(keyring.current().decrypt(name, key, envelope), StandardCharsets.UTF_8);
        } catch (SecretKeyException e) {
            throw new Unusable("registry credential secret/" + name + " cannot be decrypted: " + e.getMessage());
        }
    }

    private void warnOnDuplicates(String registry, List<String> matching) {
        List<String> before = matching.size() > 1 ? warned.put(registry, List.copyOf(matching))
                : warned.remove(registry);
        if (matching.size() > 1 && !matching.equals(before)) {
            log.warn("registry {}: several Secrets of type Registry name it ({}); using secret/{}, the first by name",
                    registry, String.join(", ", matching), matching.get(0));
        }
    }

    /** Registry hosts compare without case, and Docker Hub's several names as one. */
    static String canonical(String registry) {
        String r = registry.strip().toLowerCase(Locale.ROOT);
        if (r.startsWith("https://")) {
            r = r.substring("https://".length());
        }
        int slash = r.indexOf('/');
        if (slash >= 0) {
            r = r.substring(0, slash); // "https://index.docker.io/v1/", as docker login writes it
        }
        return DOCKER_HUB_ALIASES.contains(r) ? ImageRef.DOCKER_HUB : r;
    }
}
