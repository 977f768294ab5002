package dev.berth.operator.images;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.ImageRef;
import dev.berth.reconcilers.docker.RegistryAuth;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ImagePuller} on this host's Docker: pulls run on a small pool of their own (never on a reconcile thread),
 * one at a time per reference (callers asking meanwhile join it), each bounded by {@link ImageSettings#pullTimeout}.
 *
 * <p>Rules, per reference as written:
 * <ul>
 * <li>A digest ({@code name@sha256:...}) that is on the host is Ready, whatever the policy: it cannot change.</li>
 * <li>IfNotPresent: a tag on the host is Ready without asking the registry.</li>
 * <li>Always: the tag is pulled again, unless a pull of it is running (the call joins it) or one that started at or
 * after the caller's {@code since} ended (the call gets that result; without a {@code since}, one that ended less than
 * {@link #FRESH_FOR} ago). This is what lets the pass that started a pull, once told it ended, pick the result up
 * instead of starting another, while a new question (a new pin generation) always reaches the registry.</li>
 * <li>Never: on the host or ImageNotFound; never pulled.</li>
 * <li>A failed pull is Failed until its retryAt (per reference, growing from about a second, doubling, at most
 * five minutes; back to the start after a success): every call before then gets the same Failed and pulls nothing.</li>
 * </ul>
 * Ready carries {@code name@sha256:...} (the image's repository digest for the reference's name: what a pin
 * records), or the reference as written when the image has none (built or imported here).
 */
public final class DockerImagePuller implements ImagePuller, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerImagePuller.class);
    /** How long a finished pull answers Always calls without a new pull (see the class comment). */
    public static final Duration FRESH_FOR = Duration.ofSeconds(30);
    /** The project's retry shape: about a second, doubling, capped at a few minutes. */
    public static final RetryPolicy BACKOFF = new RetryPolicy(Duration.ofMillis(1500), 2.0, 0.2, Duration.ofMinutes(5));
    public static final String IMAGE_NOT_FOUND = DockerActionException.IMAGE_NOT_FOUND;
    private static final int THREADS = 2;
    private static final Pattern DIGEST_LINE = Pattern.compile("^Digest: (sha256:[0-9a-f]{64})");

    private final DockerImages images;
    private final RegistryCredentials credentials;
    private final ImageSettings settings;
    private final ImageAcquisitions acquisitions;
    private final Clock clock;
    private final IntervalFunction backoff;
    private final ExecutorService pool;
    private final Counter succeeded;
    private final Counter failed;
    private final Timer pullTime;
    /** Per reference as written; guarded by {@code this}. */
    private final Map<String, Entry> entries = new HashMap<>();

    /** What is known of one reference: a pull running, the last pull's end, the failures in a row. */
    private static final class Entry {
        final List<Runnable> waiters = new ArrayList<>();
        boolean pulling;
        ImageState last;
        Instant startedAt;
        Instant endedAt;
        int failures;
    }

    public DockerImagePuller(DockerImages images, RegistryCredentials credentials, ImageSettings settings,
                             ImageAcquisitions acquisitions, MeterRegistry registry, Clock clock) {
        this(images, credentials, settings, acquisitions, registry, clock, settings.pullBackoff());
    }

    /** With another backoff: tests that wait for several retries. */
    public DockerImagePuller(DockerImages images, RegistryCredentials credentials, ImageSettings settings,
                             ImageAcquisitions acquisitions, MeterRegistry registry, Clock clock, RetryPolicy backoff) {
        this.images = images;
        this.credentials = credentials;
        this.settings = settings;
        this.acquisitions = acquisitions;
        this.clock = clock;
        this.backoff = backoff.intervals();
        this.pool = Executors.newFixedThreadPool(THREADS, daemon("image-pull"));
        this.succeeded = Counter.builder("berth.image.pulls").tag("result", "success")
                .description("Image pulls by result").register(registry);
        this.failed = Counter.builder("berth.image.pulls").tag("result", "failure")
                .description("Image pulls by result").register(registry);
        // Pulls take from a moment (already there) to minutes (a large image): bounds of their own, not the calls'.
        this.pullTime = Timer.builder("berth.image.pull").description("Time of one image pull, failed ones too")
                .serviceLevelObjectives(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5),
                        Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
                        Duration.ofSeconds(300))
                .register(registry);
    }

    @Override
    public ImageState resolve(String ref, String policy, Runnable onDone) {
        return resolve(ref, policy, null, onDone);
    }

    @Override
    public ImageState resolve(String ref, String policy, Instant since, Runnable onDone) {
        ImageRef parsed = ImageRef.parse(ref);
        boolean always = ServiceSpec.PULL_ALWAYS.equals(policy) && !parsed.pinned();
        if (!always) {
            Optional<ImageInfo> here = presentHere(ref);
            if (here.isPresent()) {
                forgetIdle(ref);
                return new ImageState.Ready(readyRef(ref, here.get(), Optional.empty()));
            }
            if (ServiceSpec.PULL_NEVER.equals(policy)) {
                return new ImageState.Failed(IMAGE_NOT_FOUND, "image " + ref + " is not on this host and"
                        + " imagePullPolicy is Never", clock.instant().plus(FRESH_FOR));
            }
        }
        synchronized (this) {
            Entry entry = entries.computeIfAbsent(ref, k -> new Entry());
            if (entry.pulling) {
                entry.waiters.add(onDone);
                return whilePulling(ref, entry);
            }
            Instant now = clock.instant();
            if (entry.last instanceof ImageState.Failed f && now.isBefore(f.retryAt())) {
                return f;
            }
            if (always && entry.last instanceof ImageState.Ready r && entry.endedAt != null
                    && (since == null ? now.isBefore(entry.endedAt.plus(FRESH_FOR))
                    : entry.startedAt != null && !entry.startedAt.isBefore(since))) {
                return r;
            }
            entry.pulling = true;
            entry.waiters.add(onDone);
            try {
                pool.execute(() -> pull(ref, entry));
            } catch (RejectedExecutionException e) {
                entry.pulling = false;
                entry.waiters.clear();
                return new ImageState.Failed(DockerImages.IMAGE_PULL_FAILED, "pulling " + ref
                        + ": the operator is stopping", now.plus(FRESH_FOR));
            }
            return whilePulling(ref, entry);
        }
    }

    /** An image here needs no bookkeeping (a success resets the backoff anyway): the map stays as small as the work. */
    private synchronized void forgetIdle(String ref) {
        Entry entry = entries.get(ref);
        boolean fresh = entry != null && entry.last instanceof ImageState.Ready && entry.endedAt != null
                && clock.instant().isBefore(entry.endedAt.plus(FRESH_FOR));
        if (entry != null && !entry.pulling && !fresh) {
            entries.remove(ref); // a fresh result stays: an Always caller of the same tag may still want it
        }
    }

    /** The image on this host, if any; a Docker error here means "look by pulling", whose failure is reported. */
    private Optional<ImageInfo> presentHere(String ref) {
        try {
            return images.inspect(ref);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A first pull is Pulling; a retry of a failed one keeps the failure until it ends, so the stack stays Degraded
     * (and its alert firing) instead of turning Progressing for every attempt.
     */
    private static ImageState whilePulling(String ref, Entry entry) {
        return entry.last instanceof ImageState.Failed f ? f
                : new ImageState.InProgress(ImageState.PULLING, "pulling image " + ref);
    }

    /** On the pool: one pull of {@code ref}, then the waiters are told. */
    private void pull(String ref, Entry entry) {
        Instant started = clock.instant();
        synchronized (this) {
            entry.startedAt = started;
        }
        long startNanos = System.nanoTime();
        ImageState outcome;
        int failures;
        synchronized (this) {
            failures = entry.failures;
        }
        log.info("image {}: pulling", ref);
        try {
            outcome = pullOnce(ref);
            log.info("image {}: pulled as {} in {} ms", ref, ((ImageState.Ready) outcome).ref(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            succeeded.increment();
            failures = 0;
        } catch (RegistryCredentials.Unusable | RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            String message = "pulling " + ref + ": " + why;
            failures++;
            Instant retryAt = clock.instant().plusMillis(backoff.apply(failures));
            outcome = new ImageState.Failed(DockerImages.IMAGE_PULL_FAILED, message, retryAt);
            log.warn("image {}: pull failed (attempt {}, next try in {} ms): {}", ref, failures,
                    Duration.between(clock.instant(), retryAt).toMillis(), why);
            failed.increment();
        } finally {
            pullTime.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
        List<Runnable> waiters;
        synchronized (this) {
            entry.pulling = false;
            entry.last = outcome;
            entry.endedAt = clock.instant().isBefore(started) ? started : clock.instant();
            entry.failures = failures;
            waiters = List.copyOf(entry.waiters);
            entry.waiters.clear();
        }
        for (Runnable waiter : waiters) {
            try {
                waiter.run();
            } catch (RuntimeException e) {
                log.warn("image {}: a caller's onDone failed: {}", ref, e.toString());
            }
        }
    }

    private ImageState.Ready pullOnce(String ref) throws RegistryCredentials.Unusable {
        Optional<RegistryAuth> auth = credentials.forImage(ref);
        // Every id on the host, not just this name's: a registry copy of an image the host holds under another name
        // (someone's own tag) arrives with that image's id, and that image is not Berth's to collect later.
        Optional<Set<String>> idsBefore = idsHere();
        String[] digest = {null};
        boolean[] upToDate = {false};
        ImageInfo pulled;
        try {
            pulled = images.pull(ref, auth, settings.pullTimeout(), line -> {
                Matcher m = DIGEST_LINE.matcher(line);
                if (m.find()) {
                    digest[0] = m.group(1);
                }
                upToDate[0] |= line.startsWith("Status: Image is up to date");
                log.debug("image {}: {}", ref, line);
            });
        } catch (DockerActionException e) {
            if (auth.isEmpty() && mentionsLogin(e.getMessage())) {
                String registry = ImageRef.parse(ref).registry();
                throw new DockerActionException(e.reason(), e.getMessage() + " (no Secret of type Registry names "
                        + registry + ")", e);
            }
            throw e;
        }
        if (!upToDate[0] && idsBefore.isPresent() && !idsBefore.get().contains(pulled.id())) {
            acquisitions.acquired(pulled.id(), ref);
        }
        return new ImageState.Ready(readyRef(ref, pulled, Optional.ofNullable(digest[0])));
    }

    /** The ids of every image on the host; empty when Docker cannot list them (then nothing pulled is recorded). */
    private Optional<Set<String>> idsHere() {
        try {
            return Optional.of(images.list().stream().map(ImageInfo::id).collect(java.util.stream.Collectors.toSet()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean mentionsLogin(String message) {
        String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("unauthorized") || m.contains("no basic auth credentials") || m.contains("denied");
    }

    /**
     * {@code name@sha256:...} for the reference's repository: the digest the pull reported when the image has it (an
     * image may carry several digests of one name), else its first of that name; else the reference as written.
     */
    static String readyRef(String ref, ImageInfo image, Optional<String> pulledDigest) {
        ImageRef parsed = ImageRef.parse(ref);
        String name = parsed.name();
        List<String> digests = image.repoDigests().stream().filter(d -> d.startsWith(name + "@"))
                .map(d -> d.substring(name.length() + 1)).toList();
        if (parsed.pinned() && digests.contains(parsed.digest())) {
            return parsed.withDigest(parsed.digest());
        }
        if (pulledDigest.isPresent() && digests.contains(pulledDigest.get())) {
            return parsed.withDigest(pulledDigest.get());
        }
        return digests.isEmpty() ? ref : parsed.withDigest(digests.get(0));
    }

    /** Stops the pool; a pull running is abandoned (Docker cancels it when its stream closes on exit). */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
