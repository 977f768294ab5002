package dev.berth.operator.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.crds.stack.BuildSpec;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackAnnotations;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.docker.BuildRequest;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.ImageRef;
import dev.berth.reconcilers.docker.RegistryAuth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ImageBuilds} through the host's Docker daemon. Everything that reads a context, talks to Docker, a
 * registry or etcd runs on one thread of its own (builds are heavy; one at a time per host is plenty), so a call
 * only looks up where the service stands and, when needed, queues the work.
 *
 * <p>A service's build is named by its content: a git context by the tree id of its folder at the stack's commit, a
 * host folder by the SHA-256 of its files, each with the Dockerfile's path, the arguments and the target. The tag
 * ({@link BuildNames#tag}) carries 12 hex digits of that, so an image already here (or, with a registry, already
 * pushed by any host) is used as it is. With a registry one host builds: the one that creates the claim
 * {@code <root>/v1/builds/<hash12>-<hex of the tag>} on a lease of its own (gone when it dies); the others wait for the push, then
 * pull. A failed build is tried again after a growing delay (2 s, doubling, at most 5 min), at once for a new
 * commit or spec.
 */
public final class DockerImageBuilds implements ImageBuilds, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerImageBuilds.class);
    private static final long CLAIM_TTL_SECONDS = 15;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    private static final Duration MAX_RETRY = Duration.ofMinutes(5);
    private static final Duration FIRST_POLL = Duration.ofSeconds(1);
    private static final Duration MAX_POLL = Duration.ofSeconds(10);
    /** How often a ready local build is looked for on the host (someone may have removed it). */
    private static final Duration RECHECK = Duration.ofSeconds(60);
    public static final String MANAGED_BY = "berth.dev/managed-by";
    public static final String BUILT_FROM = "berth.dev/built-from";

    private final DockerImages images;
    private final EtcdKv kv;
    private final KeyLayout keys;
    private final GitContexts git;
    private final Logins credentials;
    private final ImageSettings settings;
    private final ImageAcquisitions acquisitions;
    private final String host;
    private final String instance;
    private final Path tmpDir;
    private final Clock clock;
    private final ScheduledExecutorService worker;
    private final Map<String, Entry> entries = new HashMap<>();
    private final AtomicLong built = new AtomicLong();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param git         reads contexts from the GitSources' repositories (gitops.GitBuildContexts, with its cache
     *                    under {@link #gitCacheDir})
     * @param credentials the login for a registry host as image references name it, if one is configured
     *                    ({@code registryCredentials::forRegistry})
     * @param stateDir    the operator's state directory: contexts are written there as tars while a build runs
     */
    public DockerImageBuilds(DockerImages images, EtcdKv kv, KeyLayout keys,
                             GitContexts git,
                             Logins credentials, ImageSettings settings,
                             ImageAcquisitions acquisitions, String host, String instance, Path stateDir, Clock clock) {
        this.images = images;
        this.kv = kv;
        this.keys = keys;
        this.git = git;
        this.credentials = credentials;
        this.settings = settings;
        this.acquisitions = acquisitions;
        this.host = host;
        this.instance = instance;
        this.tmpDir = stateDir.resolve("builds").resolve("tmp");
        this.clock = clock;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "image-builds");
            t.setDaemon(true);
            return t;
        });
    }

    /** The login for a registry ({@code host[:port]}), empty for none: {@link RegistryCredentials#forRegistry}. */
    @FunctionalInterface
    public interface Logins {
        Optional<RegistryAuth> forRegistry(String registryHost) throws RegistryCredentials.Unusable;
    }

    /** Where gitops.GitBuildContexts keeps its repositories for this operator. */
    public static Path gitCacheDir(Path stateDir) {
        return stateDir.resolve("builds").resolve("git");
    }

    /** What a service asks to be built, as far as it can be read without any I/O. */
    record Want(String stack, String service, String image, BuildSpec build, String source, String commit,
                String manifestPath, String restartedAt) {
        static Want of(StoredObject stack, ServiceSpec service) {
            Map<String, String> annotations = stack.resource().map(r -> r.metadata().annotations()).orElse(Map.of());
            boolean fromGit = service.build() != null && !service.build().onHosts();
            // a git context is named by its commit; a host folder is looked at again on a spec change or a restart
            return new Want(stack.name(), service.name(), service.image(), service.build(),
                    fromGit ? annotations.get(GitContexts.SOURCE_ANNOTATION) : null,
                    fromGit ? annotations.get(GitContexts.COMMIT_ANNOTATION) : null,
                    fromGit ? annotations.get(GitContexts.PATH_ANNOTATION) : null,
                    annotations.get(StackAnnotations.RESTARTED_AT));
        }

        String key() {
            return stack + "/" + service;
        }
    }

    private static final class Entry {
        final Want want;
        ImageState state;
        boolean queued;
        int failures;
        int polls;
        /** The local tag a Ready state names (builds without a registry), and when it was last seen on the host. */
        String localTag;
        Instant seenAt;
        final List<Runnable> waiters = new ArrayList<>();

        Entry(Want want, ImageState state) {
            this.want = want;
            this.state = state;
        }
    }

    @Override
    public ImageState image(StoredObject stack, ServiceSpec service, Runnable onDone) {
        if (service.build() == null) {
            throw new IllegalArgumentException("service " + service.name() + " has no build");
        }
        Want want = Want.of(stack, service);
        synchronized (entries) {
            Entry entry = entries.get(want.key());
            if (entry == null || !entry.want.equals(want)) {
                entry = new Entry(want, new ImageState.InProgress(ImageState.BUILDING, "building the image of service "
                        + service.name()));
                entries.put(want.key(), entry);
                queue(entry, Duration.ZERO);
            } else if (entry.state instanceof ImageState.Failed failed && !entry.queued
                    && !clock.instant().isBefore(failed.retryAt())) {
                // The failure stays the state while the build is tried again: the stack stays Degraded (and its
                // alert firing) instead of turning Progressing for every attempt.
                queue(entry, Duration.ZERO);
            } else if (entry.state instanceof ImageState.Ready && entry.localTag != null && !entry.queued
                    && !clock.instant().isBefore(entry.seenAt.plus(RECHECK))) {
                // still Ready meanwhile: what runs stays; a missing image is built again before it is needed
                entry.queued = true;
                Entry checked = entry;
                worker.execute(() -> recheck(checked));
            }
            if (entry.queued && onDone != null) {
                entry.waiters.add(onDone);
            }
            return entry.state;
        }
    }

    /** How many builds this instance ran (finished or failed), for tests and metrics. */
    public long builds() {
        return built.get();
    }

    /** Forgets a stack's services (the stack was deleted); a build running for them finishes unseen. */
    public void forget(String stack) {
        synchronized (entries) {
            entries.keySet().removeIf(k -> k.startsWith(stack + "/"));
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private void queue(Entry entry, Duration delay) {
        entry.queued = true;
        worker.schedule(() -> run(entry), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void recheck(Entry entry) {
        boolean here;
        try {
            here = images.inspect(entry.localTag).isPresent();
        } catch (RuntimeException e) {
            here = true; // Docker did not answer: look again later rather than build on doubt
        }
        if (here) {
            synchronized (entries) {
                entry.seenAt = clock.instant();
                entry.queued = false;
                entry.waiters.clear(); // still Ready: nobody waits for anything
            }
            return;
        }
        log.info("build stack/{} service {}: {} is no longer on this host; building it again", entry.want.stack(),
                entry.want.service(), entry.localTag);
        run(entry);
    }

    private void run(Entry entry) {
        synchronized (entries) {
            if (entries.get(entry.want.key()) != entry) {
                settle(entry, entry.state); // replaced meanwhile: only its callers are told to look again
                return;
            }
        }
        Want want = entry.want;
        ImageState result;
        try {
            result = attempt(entry);
        } catch (BuildException | DockerActionException e) {
            result = failed(entry, e.getMessage());
        } catch (GitContexts.Unavailable e) {
            result = failed(entry, "cannot read the build context: " + e.getMessage());
        } catch (StoreException e) {
            result = failed(entry, "etcd: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            result = failed(entry, "cannot read the build context: " + e.getMessage());
        } catch (RuntimeException e) {
            log.warn("build stack/{} service {}: unexpected error", want.stack(), want.service(), e);
            result = failed(entry, "build failed: " + e);
        }
        if (result != null) {
            if (result instanceof ImageState.Ready) {
                entry.failures = 0;
                entry.seenAt = clock.instant();
            }
            settle(entry, result);
        }
    }

    /** The image's state when this attempt ends; null when it waits for another host and was queued again. */
    private ImageState attempt(Entry entry) throws IOException, GitContexts.Unavailable {
        Want want = entry.want;
        Prepared prepared = prepare(want);
        String tag = BuildNames.tag(want.image(), want.stack(), want.service(), prepared.hash());
        boolean push = BuildNames.pushes(want.image());
        entry.localTag = push ? null : tag;
        ImageRef ref = ImageRef.parse(tag);
        Optional<ImageInfo> here = images.inspect(tag);
        if (here.isPresent()) {
            if (!push) {
                return new ImageState.Ready(tag);
            }
            Optional<String> digest = repoDigest(here.get(), ref);
            if (digest.isPresent()) {
                return new ImageState.Ready(digest.get());
            }
        }
        if (!push) {
            build(want, prepared, tag);
            return new ImageState.Ready(tag);
        }
        Optional<RegistryAuth> auth;
        try {
            auth = credentials.forRegistry(ref.registry());
        } catch (RegistryCredentials.Unusable e) {
            throw new BuildException(e.getMessage());
        }
        Optional<String> pulled = pullIfPushed(want, tag, ref, auth);
        if (pulled.isPresent()) {
            return new ImageState.Ready(pulled.get());
        }
        // The tag too: two services pushing one context to two repositories are two builds.
        String claimKey = keys.buildsPrefix() + prepared.hash().substring(0, 12) + "-"
                + Integer.toHexString(tag.hashCode());
        Claim claim = claim(claimKey, tag);
        if (!claim.ours()) {
            Duration poll = FIRST_POLL.multipliedBy(1L << Math.min(entry.polls++, 4));
            poll = poll.compareTo(MAX_POLL) > 0 ? MAX_POLL : poll;
            update(entry, new ImageState.InProgress(ImageState.BUILDING, "building " + tag + " on " + claim.host()));
            synchronized (entries) {
                if (entries.get(want.key()) == entry) {
                    worker.schedule(() -> run(entry), poll.toMillis(), TimeUnit.MILLISECONDS);
                    return null;
                }
            }
            return entry.state;
        }
        try {
            build(want, prepared, tag);
            String digest = images.push(tag, auth, settings.pullTimeout());
            log.info("build stack/{} service {}: pushed {}@{}", want.stack(), want.service(), ref.name(), digest);
            return new ImageState.Ready(ref.withDigest(digest));
        } finally {
            claim.release();
        }
    }

    /** Someone (any host, earlier) built and pushed this tag: pull it rather than build. */
    private Optional<String> pullIfPushed(Want want, String tag, ImageRef ref, Optional<RegistryAuth> auth) {
        ImageInfo info;
        // Every id on the host: a pull that brings an image the host already holds (under any name) is not Berth's.
        // Not known (Docker would not list): nothing pulled is recorded, and the build goes on as usual.
        java.util.Set<String> idsBefore;
        try {
            idsBefore = images.list().stream().map(ImageInfo::id).collect(java.util.stream.Collectors.toSet());
        } catch (RuntimeException e) {
            idsBefore = null;
        }
        try {
            info = images.pull(tag, auth, settings.pullTimeout(), line -> {
            });
        } catch (DockerActionException e) {
            log.debug("build stack/{} service {}: {} not in the registry yet: {}", want.stack(), want.service(), tag,
                    e.getMessage());
            return Optional.empty();
        }
        if (idsBefore != null && !idsBefore.contains(info.id())) {
            acquisitions.acquired(info.id(), tag);
        }
        Optional<String> digest = repoDigest(info, ref);
        log.info("build stack/{} service {}: {} was built before, pulled {}", want.stack(), want.service(), tag,
                digest.orElse(tag));
        return Optional.of(digest.orElse(tag));
    }

    private static Optional<String> repoDigest(ImageInfo info, ImageRef ref) {
        String prefix = ref.name() + "@";
        return info.repoDigests().stream().filter(d -> d.startsWith(prefix)).findFirst();
    }

    private void build(Want want, Prepared prepared, String tag) throws IOException, GitContexts.Unavailable {
        Files.createDirectories(tmpDir);
        Path tar = tmpDir.resolve(prepared.hash().substring(0, 12) + "-" + UUID.randomUUID() + ".tar");
        try {
            try (OutputStream out = Files.newOutputStream(tar)) {
                prepared.context().write(out);
            }
            BuildRequest request = new BuildRequest(() -> {
                try {
                    return Files.newInputStream(tar);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, prepared.dockerfile(), want.build().args(), want.build().target(), List.of(tag),
                    Map.of(MANAGED_BY, instance, BUILT_FROM, want.stack() + "/" + want.service()),
                    settings.buildTimeout());
            log.info("build stack/{} service {}: building {} ({})", want.stack(), want.service(), tag,
                    prepared.describe());
            long start = System.nanoTime();
            built.incrementAndGet();
            String id = images.build(request, line -> log.info("build stack/{} service {}: {}", want.stack(),
                    want.service(), line));
            acquisitions.acquired(id, tag);
            log.info("build stack/{} service {}: built {} ({}) in {} ms", want.stack(), want.service(), tag, id,
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /** A context, named by its content, and how to write it as a tar. */
    private record Prepared(String hash, String dockerfile, String describe, TarWriter context) {
    }

    private interface TarWriter {
        void write(OutputStream out) throws IOException, GitContexts.Unavailable;
    }

    private Prepared prepare(Want want) throws IOException, GitContexts.Unavailable {
        BuildSpec build = want.build();
        String dockerfile = BuildNames.dockerfile(build).orElseThrow(() -> new BuildException("dockerfile \""
                + build.dockerfile() + "\" must be a path inside the build context"));
        if (build.onHosts()) {
            Path root = Path.of(build.context()).normalize();
            HostContext context = HostContext.of(root, dockerfile);
            String hash = BuildNames.hash("host " + context.hash(), build);
            return new Prepared(hash, dockerfile, root + " on " + host, context::writeTar);
        }
        if (want.source() == null || want.commit() == null) {
            throw new BuildException("build context \"" + build.context() + "\" is relative, so the stack must come"
                    + " from a GitSource (it has no " + GitContexts.SOURCE_ANNOTATION + " annotation); or give an absolute"
                    + " path on the hosts");
        }
        if (want.manifestPath() == null) {
            throw new BuildException("the stack has no " + GitContexts.PATH_ANNOTATION + " annotation yet (synced by an"
                    + " older operator); the next sync of gitsource/" + want.source() + " adds it");
        }
        String folder = BuildNames.resolve(BuildNames.folderOf(want.manifestPath()), build.context())
                .orElseThrow(() -> new BuildException("build context \"" + build.context() + "\" leaves the"
                        + " repository of gitsource/" + want.source()));
        String treeId = git.treeId(want.source(), want.commit(), folder);
        String hash = BuildNames.hash("git " + treeId, build);
        String where = "gitsource/" + want.source() + " " + want.commit().substring(0, Math.min(12,
                want.commit().length())) + ":" + (folder.isEmpty() ? "." : folder);
        return new Prepared(hash, dockerfile, where, out -> git.writeTar(want.source(), want.commit(), treeId, out));
    }

    private record Claim(boolean ours, String host, long lease, CloseableClient keepAlive, String key,
                         EtcdKv kv) {
        void release() {
            if (!ours) {
                return;
            }
            try {
                if (keepAlive != null) {
                    keepAlive.close();
                }
                kv.delete(key);
                kv.await(kv.client().getLeaseClient().revoke(lease), "revoke build claim lease");
            } catch (RuntimeException e) {
                log.warn("build claim {}: cannot release it ({}); it ends with its lease", key, e.getMessage());
            }
        }
    }

    /**
     * Creates the claim if no host holds it (a transaction: create if absent), on a lease of its own that is kept
     * alive while the build runs, so a host that dies mid-build lets another build within the lease's TTL.
     */
    private Claim claim(String key, String tag) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<StoredValue> current = kv.get(key);
            long guard = 0;
            if (current.isPresent()) {
                String owner = ownerOf(current.get().value());
                if (!owner.equals(host)) {
                    return new Claim(false, owner, 0, null, key, kv);
                }
                guard = current.get().modRevision(); // this host's claim from before a restart: take it over
            }
            long lease = kv.await(kv.client().getLeaseClient().grant(CLAIM_TTL_SECONDS), "grant build claim lease")
                    .getID();
            ByteSequence k = bytes(key);
            Cmp cmp = guard == 0 ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(guard));
            String value = claimValue(tag);
            boolean created = kv.await(kv.client().getKVClient().txn().If(cmp)
                    .Then(Op.put(k, bytes(value), PutOption.builder().withLeaseId(lease).build())).commit(),
                    "claim build").isSucceeded();
            if (created) {
                CloseableClient keepAlive = kv.keepAlive(lease, () -> {
                }, why -> log.warn("build claim {}: {}", key, why));
                return new Claim(true, host, lease, keepAlive, key, kv);
            }
            kv.await(kv.client().getLeaseClient().revoke(lease), "revoke build claim lease");
        }
        throw new StoreException("the build claim " + key + " keeps changing", null);
    }

    private String claimValue(String tag) {
        try {
            return json.writeValueAsString(Map.of("host", host, "tag", tag, "at", clock.instant().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String ownerOf(String value) {
        try {
            return json.readTree(value).path("host").asText("another host");
        } catch (IOException e) {
            return "another host";
        }
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private ImageState failed(Entry entry, String message) {
        entry.failures++;
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(entry.failures - 1, 10));
        delay = delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
        Instant retryAt = clock.instant().plus(delay);
        log.warn("build stack/{} service {}: failed (attempt {}, again in {} s): {}", entry.want.stack(),
                entry.want.service(), entry.failures, delay.toSeconds(), message.replace('\n', '|'));
        return new ImageState.Failed(DockerImages.BUILD_FAILED, message, retryAt);
    }

    /** A state on the way (another host builds): callers hear of it, the entry stays queued. */
    private void update(Entry entry, ImageState state) {
        List<Runnable> told;
        synchronized (entries) {
            if (state.equals(entry.state)) {
                return;
            }
            entry.state = state;
            told = new ArrayList<>(entry.waiters);
            entry.waiters.clear();
        }
        told.forEach(DockerImageBuilds::tell);
    }

    private void settle(Entry entry, ImageState state) {
        List<Runnable> told;
        synchronized (entries) {
            entry.state = state;
            entry.queued = false;
            entry.polls = 0;
            told = new ArrayList<>(entry.waiters);
            entry.waiters.clear();
        }
        told.forEach(DockerImageBuilds::tell);
    }

    private static void tell(Runnable onDone) {
        try {
            onDone.run();
        } catch (RuntimeException e) {
            log.warn("image build listener failed", e);
        }
    }

    /** A build that cannot start, with a message for the stack's status. */
    private static final class BuildException extends RuntimeException {
        BuildException(String message) {
            super(message);
        }
    }
}
