package dev.berth.operator.secrets;

import dev.berth.crds.secret.ConfigSpec;
import dev.berth.crds.secret.SecretKeyRef;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.crds.stack.FileReference;
import dev.berth.crds.stack.SecretEnv;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.cache.DesiredInformer;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.MountPlan;
import dev.berth.reconcilers.stack.ServiceFiles;
import dev.berth.reconcilers.stack.StackHere;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Prepares a stack's Secret and Config files on this host: for each service this host runs replicas of, reads the
 * objects it references from the desired caches, decrypts Secret values with the operator's keyring, writes the
 * files ({@link HostFiles}) and returns per service the read-only bind mounts and Secret environment values the
 * planner adds to its containers. All or nothing per service: the first reference of a service that cannot be
 * served fails that service (nothing of it changes on this host); the stack's other services go on.
 */
public final class StackFiles {
    /** What a data key may be, as a file name (the schema's rule). */
    private final DesiredInformer secrets;
    private final DesiredInformer configs;
    private final OperatorKeyring keyring;
    private final HostFiles files;

    public StackFiles(DesiredInformer secrets, DesiredInformer configs, OperatorKeyring keyring, HostFiles files) {
        this.secrets = secrets;
        this.configs = configs;
        this.keyring = keyring;
        this.files = files;
    }

    /** Both caches listed once: before that a missing object may only be not yet seen. */
    public boolean synced() {
        return secrets.synced() && configs.synced();
    }

    /**
     * What a stack's services got on this host: the files of each service whose references could all be served, and
     * for each other service why not (it then keeps what runs and gets nothing new, see {@link StackHere#withHeld}).
     */
    public record Resolved(Map<String, ServiceFiles> files, Map<String, FilesException> failures) {
        public Resolved {
            files = Map.copyOf(files);
            failures = java.util.Collections.unmodifiableMap(new TreeMap<>(failures));
        }

        /** The first failure, by service name: what the stack's status says. */
        public java.util.Optional<FilesException> first() {
            return failures.values().stream().findFirst();
        }
    }

    /** Per service: one service's missing Secret does not stop the others of the stack. */
    public Resolved resolve(StackHere here) {
        Map<String, ServiceFiles> out = new TreeMap<>();
        Map<String, FilesException> failures = new TreeMap<>();
        for (ServiceSpec service : here.spec().services()) {
            if (here.of(service.name()).isEmpty() || !service.usesSecretsOrConfigs()) {
                continue;
            }
            try {
                out.put(service.name(), resolve(service));
            } catch (FilesException e) {
                failures.put(service.name(), e);
            }
        }
        return new Resolved(out, failures);
    }

    private ServiceFiles resolve(ServiceSpec service) throws FilesException {
        List<MountPlan> mounts = new ArrayList<>();
        for (FileReference ref : service.secrets()) {
            SecretSpec secret = secret(ref.source(), service);
            SortedMap<String, byte[]> values = new TreeMap<>();
            for (String key : keys(ref, secret.encryptedData().keySet(), true)) {
                values.put(key, decrypt(ref.source(), key, secret));
            }
            mounts.add(mount(place(ref, "secret", values), ref.effectiveTarget(true)));
        }
        for (FileReference ref : service.configs()) {
            ConfigSpec config = config(ref.source(), service);
            SortedMap<String, byte[]> values = new TreeMap<>();
            for (String key : keys(ref, config.data().keySet(), false)) {
                values.put(key, config.data().get(key).getBytes(StandardCharsets.UTF_8));
            }
            mounts.add(mount(place(ref, "config", values), ref.effectiveTarget(false)));
        }
        Map<String, String> env = new TreeMap<>();
        Map<String, String> digests = new TreeMap<>();
        for (SecretEnv e : service.secretEnv()) {
            SecretKeyRef ref = e.secretKeyRef();
            SecretSpec secret = secret(ref.name(), service);
            if (!secret.encryptedData().containsKey(ref.key())) {
                throw new FilesException(FilesException.SECRET_NOT_FOUND, "secret " + ref.name() + " has no key "
                        + ref.key() + " (env " + e.name() + " of service " + service.name() + ")");
            }
            byte[] value = decrypt(ref.name(), ref.key(), secret);
            env.put(e.name(), new String(value, StandardCharsets.UTF_8));
            digests.put(e.name(), files.valueDigest(ref.name(), ref.key(), value));
        }
        return new ServiceFiles(mounts, env, digests);
    }

    Path place(FileReference ref, String kind, SortedMap<String, byte[]> values) throws FilesException {
        boolean directory = !namesKey(ref) && values.size() > 1;
        String leaf = directory ? ref.source() : values.firstKey();
        if (!isFileName(leaf)) {
            throw new FilesException(kind.equals("secret") ? FilesException.SECRET_NOT_FOUND
                    : FilesException.CONFIG_NOT_FOUND, kind + " " + ref.source() + ": not a file name: " + leaf);
        }
        return files.place(new FileSet(kind, ref.source(), directory, leaf, values, ref.modeBits(), ref.effectiveUid(),
                ref.effectiveGid()));
    }

    private static MountPlan mount(Path source, String target) {
        return new MountPlan("bind", source.toString(), target, true, null);
    }

    /** The keys a reference mounts: the one it names, else all of them (one file, or a directory of several). */
    private static Collection<String> keys(FileReference ref, Set<String> present, boolean secret)
            throws FilesException {
        String what = (secret ? "secret " : "config ") + ref.source();
        String reason = secret ? FilesException.SECRET_NOT_FOUND : FilesException.CONFIG_NOT_FOUND;
        if (namesKey(ref)) {
            if (!present.contains(ref.key())) {
                throw new FilesException(reason, what + " has no key " + ref.key());
            }
            if (!isFileName(ref.key())) {
                throw new FilesException(reason, what + ": key " + ref.key() + " is not a file name");
            }
            return List.of(ref.key());
        }
        if (present.isEmpty()) {
            throw new FilesException(reason, what + " has no keys");
        }
        for (String key : present) {
            // Validation refuses such keys at apply; one written to etcd by hand must not name a path outside.
            if (!isFileName(key)) {
                throw new FilesException(reason, what + " has a key that is not a file name: " + key);
            }
        }
        return new TreeSet<>(present);
    }

    /** Whether a reference names one key; a blank key is no key (all of them), in every rule here. */
    static boolean namesKey(FileReference ref) {
        return ref.key() != null && !ref.key().isBlank();
    }

    private static boolean isFileName(String name) {
        return dev.berth.crds.secret.DataRules.keyProblem(name).isEmpty();
    }

    private SecretSpec secret(String name, ServiceSpec service) throws FilesException {
        StoredObject stored = secrets.get(name).orElseThrow(() -> new FilesException(FilesException.SECRET_NOT_FOUND,
                "secret " + name + " not found (used by service " + service.name() + ")"));
        SecretSpec spec = stored.resource().map(r -> r.spec(SecretSpec.class)).orElseThrow(() -> new FilesException(
                FilesException.SECRET_UNDECRYPTABLE, "secret " + name + " in etcd is not valid (see berth describe"
                        + " secret " + name + ")"));
        if (spec.hasPlainValues()) {
            throw new FilesException(FilesException.SECRET_UNDECRYPTABLE, "secret " + name + " holds plain stringData"
                    + " in etcd: write it with berth apply, which encrypts it");
        }
        return spec;
    }

    private ConfigSpec config(String name, ServiceSpec service) throws FilesException {
        StoredObject stored = configs.get(name).orElseThrow(() -> new FilesException(FilesException.CONFIG_NOT_FOUND,
                "config " + name + " not found (used by service " + service.name() + ")"));
        return stored.resource().map(r -> r.spec(ConfigSpec.class)).orElseThrow(() -> new FilesException(
                FilesException.CONFIG_NOT_FOUND, "config " + name + " in etcd is not valid (see berth describe config "
                        + name + ")"));
    }

    private byte[] decrypt(String secret, String key, SecretSpec spec) throws FilesException {
        try {
            return keyring.current().decrypt(secret, key, spec.encryptedData().get(key));
        } catch (SecretKeyException e) {
            throw new FilesException(FilesException.SECRET_UNDECRYPTABLE, e.getMessage());
        }
    }

    /** The Secrets ({@code kind} "secret": files and environment) or Configs a stack's services use, by name. */
    public static Set<String> references(StackSpec spec, String kind) {
        Set<String> names = new TreeSet<>();
        for (ServiceSpec s : spec.services()) {
            if (kind.equals("secret")) {
                s.secrets().forEach(r -> names.add(r.source()));
                s.secretEnv().forEach(e -> names.add(e.secretKeyRef().name()));
            } else {
                s.configs().forEach(r -> names.add(r.source()));
            }
        }
        return names;
    }

    /** The stacks in {@code stacks} whose valid spec uses the Secret or Config {@code name}: they look again when it changes. */
    public static List<String> stacksUsing(DesiredInformer stacks, String kind, String name) {
        List<String> out = new ArrayList<>();
        for (String stack : stacks.names()) {
            stacks.get(stack).flatMap(StoredObject::resource).map(r -> r.spec(StackSpec.class))
                    .filter(spec -> references(spec, kind).contains(name)).ifPresent(spec -> out.add(stack));
        }
        return out;
    }
}
