package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.crds.ObjectMeta;
import dev.berth.crds.Resource;
import dev.berth.crds.secret.ConfigSpec;
import dev.berth.crds.secret.SecretSpec;
import dev.berth.operator.manifests.Manifests;
import dev.berth.operator.secrets.SecretKeyring;
import dev.berth.operator.store.ApplyOutcome;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one way the CLI writes manifests to etcd ({@code berth apply}, {@code berth import compose --apply}): Secrets
 * sealed before etcd is even asked (a missing key or a foreign envelope writes nothing), the check across objects
 * against etcd on the objects as written (errors point into the files), the creation time of Secrets and Configs,
 * Secrets whose values did not change kept as stored, then one transaction.
 */
final class SealedApply {
    /** RFC 3339 UTC time a Secret or Config was first written by the CLI; etcd keeps no time. */
    static final String CREATED_AT = "berth.dev/created-at";

    private SealedApply() {
    }

    /** @return the exit code: 0 when written (or previewed), 1 when errors were printed and nothing was written */
    static int run(List<Resource> asWritten, SecretKeyOption key, EtcdOptions etcd, Kinds kinds, boolean dryRun,
                   PrintWriter out, PrintWriter err) {
        return run(asWritten, key, etcd, kinds, dryRun, "berth apply", out, err);
    }

    /** @param cause the change-cause of the stack revisions this writes ({@code berth apply}) */
    static int run(List<Resource> asWritten, SecretKeyOption key, EtcdOptions etcd, Kinds kinds, boolean dryRun,
                   String cause, PrintWriter out, PrintWriter err) {
        return run(asWritten, key, etcd, kinds, dryRun, cause, Map.of(), out, err);
    }

    /**
     * @param expected mod revisions ({@code kind/name}) the objects must still have, as the caller checked them
     * @throws dev.berth.operator.store.ChangedException when one changed meanwhile (nothing written)
     */
    static int run(List<Resource> asWritten, SecretKeyOption key, EtcdOptions etcd, Kinds kinds, boolean dryRun,
                   String cause, Map<String, Long> expected, PrintWriter out, PrintWriter err) {
        if (!new Manifests.Loaded(asWritten, RelativeBuildContexts.of(asWritten)).report(err)) {
            return 1;
        }
        // Before sealing or asking etcd: an apply etcd would refuse as one transaction is refused here, with the limit.
        if (!new Manifests.Loaded(asWritten, ResourceStore.tooManyForOneApply(asWritten)).report(err)) {
            return 1;
        }
        Optional<SecretKeyring> keyring = SecretSealer.anySecret(asWritten) ? key.ifGiven() : Optional.empty();
        SecretSealer.Sealed sealed = SecretSealer.seal(asWritten, keyring);
        if (!new Manifests.Loaded(sealed.resources(), sealed.errors()).report(err)) {
            return 1;
        }
        try (StoreSession session = new StoreSession(etcd, kinds)) {
            Manifests.Loaded checked = new Manifests.Loaded(asWritten, List.of())
                    .crossChecked(Manifests.storedForChecks(session.store(), kinds));
            if (!checked.report(err)) {
                return 1;
            }
            List<Resource> dated = withCreationTimes(sealed.resources(), session.store(), Instant.now());
            List<Resource> toWrite = SecretSealer.keepUnchanged(dated, session.store(), keyring);
            List<ApplyOutcome> outcomes = dryRun
                    ? session.store().preview(toWrite)
                    : session.store().apply(toWrite, cause, expected);
            outcomes.forEach(o -> out.println(o + (dryRun ? " (dry run)" : "")));
            PlacementNotice.print(session, asWritten, err);
        }
        out.flush();
        err.flush();
        return 0;
    }

    /**
     * A Secret or Config not in etcd yet gets {@link #CREATED_AT} (now); one in etcd keeps its stored value (or its
     * lack of one), so applying the same manifest again stays "unchanged". Other kinds pass as they are. Secrets
     * sealed from stringData are already re-rendered; the rest are re-rendered here (a manifest's comments are not
     * kept, as for sealed Secrets).
     */
    static List<Resource> withCreationTimes(List<Resource> resources, ResourceStore store, Instant now) {
        List<Resource> out = new ArrayList<>();
        for (Resource resource : resources) {
            String kind = resource.kind().kind();
            if (!kind.equals(SecretSealer.SECRET) && !kind.equals("Config")) {
                out.add(resource);
                continue;
            }
            Optional<StoredObject> stored = store.get(resource.kind(), resource.metadata().name());
            Optional<String> createdAt = stored.isEmpty()
                    ? Optional.of(createdAt(now))
                    : Optional.ofNullable(stored.get().resource()
                            .map(r -> r.metadata().annotations().get(CREATED_AT)).orElse(null));
            out.add(withCreatedAt(resource, createdAt));
        }
        return out;
    }

    static String createdAt(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Resource withCreatedAt(Resource resource, Optional<String> createdAt) {
        Map<String, String> annotations = new TreeMap<>(resource.metadata().annotations());
        annotations.remove(CREATED_AT);
        createdAt.ifPresent(t -> annotations.put(CREATED_AT, t));
        if (annotations.equals(resource.metadata().annotations())) {
            return resource;
        }
        ObjectMeta meta = new ObjectMeta(resource.metadata().name(), resource.metadata().labels(), annotations);
        String yaml;
        if (resource.kind().kind().equals(SecretSealer.SECRET)) {
            SecretSpec spec = resource.spec(SecretSpec.class);
            // Sealed before this: only encryptedData is left (stringData without a key was refused).
            yaml = DataManifests.secret(meta.name(), meta.labels(), annotations, spec.type(), spec.registry(),
                    spec.encryptedData())
                    .yaml();
        } else {
            yaml = DataManifests.config(meta.name(), meta.labels(), annotations,
                    resource.spec(ConfigSpec.class).data()).yaml();
        }
        return new Resource(resource.apiVersion(), resource.kind(), meta, resource.spec(), yaml, resource.file(),
                resource.line());
    }
}
