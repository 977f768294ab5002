package dev.berth.operator.images;

import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.HostImageUse;
import dev.berth.reconcilers.docker.ImageInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubelet's image garbage collection, stricter: every {@link ImageSettings#gcInterval()} it notes which of Berth's
 * images containers use, and when the filesystem holding Docker's data root is more than
 * {@link ImageSettings#gcHighPercent()} full, removes Berth's images that no container (any container, in any state,
 * Berth's or not) has used for {@link ImageSettings#gcMinAge()}, least recently used first, until it is below
 * {@link ImageSettings#gcLowPercent()}. Berth's images are those in the {@link ImageLedger} (pulled when they were not
 * on the host, or built); no other image is ever removed. Not the labels Berth puts on what it builds: an image a
 * person builds FROM one of them inherits those labels. A high threshold of 100 turns collection off.
 */
public final class ImageCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImageCollector.class);

    /** What one pass saw and did: the disk's use (empty: not measured) and the ids of the images it removed. */
    public record Pass(OptionalDouble usage, List<String> removed) {
    }

    private final DockerImages images;
    private final HostImageUse host;
    private final ImageLedger ledger;
    private final ImageSettings settings;
    private final String instance;
    private final Clock clock;
    private final Counter removedTotal;
    private final UnaryOperator<Path> here;
    /** The last measured use as parts per million (a gauge reads it), -1 while unknown. */
    private final AtomicLong usedPpm = new AtomicLong(-1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "image-gc");
        t.setDaemon(true);
        return t;
    });
    /** Docker's data root: it does not move while the daemon runs, so it is asked once it is known. */
    private String dataRoot;
    /** Why the disk could not be measured the last time, so the warning is logged once, not every pass. */
    private String unmeasured;

    public ImageCollector(DockerImages images, HostImageUse host, ImageLedger ledger, ImageSettings settings,
                          String instance, Clock clock, MeterRegistry registry) {
        this(images, host, ledger, settings, instance, clock, registry, UnaryOperator.identity());
    }

    /**
     * @param here where Docker's data root (the daemon's path) is seen from this process: the same path for an
     *             operator on the host; tests point it elsewhere to play an operator without the mount
     */
    ImageCollector(DockerImages images, HostImageUse host, ImageLedger ledger, ImageSettings settings,
                   String instance, Clock clock, MeterRegistry registry, UnaryOperator<Path> here) {
        this.here = Objects.requireNonNull(here);
        this.images = Objects.requireNonNull(images);
        this.host = Objects.requireNonNull(host);
        this.ledger = Objects.requireNonNull(ledger);
        this.settings = Objects.requireNonNull(settings);
        this.instance = Objects.requireNonNull(instance);
        this.clock = Objects.requireNonNull(clock);
        this.removedTotal = Counter.builder("berth.images.removed")
                .description("Images the image collector removed from this host").register(registry);
        Gauge.builder("berth.image.disk.used.ratio", usedPpm, v -> v.get() < 0 ? Double.NaN : v.get() / 1e6)
                .description("Used share of the filesystem holding Docker's data root, as the image collector"
                        + " last measured it (NaN: not measured)").register(registry);
    }

    /** Whether collection is on: a high threshold of 100 (or more) is never exceeded. */
    public boolean enabled() {
        return settings.gcHighPercent() < 100;
    }

    /** Collects every gcInterval on its own thread, the first time one interval after the start. */
    public void start() {
        if (!enabled()) {
            log.info("image collection is off (--image-gc-high-percent {})", settings.gcHighPercent());
            return;
        }
        long period = Math.max(1, settings.gcInterval().toMillis());
        timer.scheduleWithFixedDelay(this::collectSafely, period, period, TimeUnit.MILLISECONDS);
        log.info("image collection every {} when the disk of Docker's data is more than {}% full (down to {}%),"
                        + " of Berth's images unused for {}", settings.gcInterval(), settings.gcHighPercent(),
                settings.gcLowPercent(), settings.gcMinAge());
    }

    /** One pass, on the caller's thread (tests; the timer calls it too). */
    public synchronized Pass collectOnce() {
        if (!enabled()) {
            return new Pass(OptionalDouble.empty(), List.of());
        }
        Instant listedAt = clock.instant();
        Set<String> inUse = host.imageIdsInUse();
        List<ImageInfo> present = images.list();
        Map<String, ImageInfo> byId = present.stream()
                .collect(Collectors.toMap(ImageInfo::id, i -> i, (a, b) -> a));
        ledger.forgetUnless(byId.keySet(), listedAt);
        ledger.used(inUse, listedAt);

        OptionalDouble usage = usage();
        if (usage.isEmpty() || usage.getAsDouble() * 100 <= settings.gcHighPercent()) {
            return new Pass(usage, List.of());
        }
        Instant idleBefore = listedAt.minus(settings.gcMinAge());
        List<Map.Entry<String, ImageLedger.Entry>> candidates = ledger.entries().entrySet().stream()
                .filter(e -> byId.containsKey(e.getKey()) && !inUse.contains(e.getKey()))
                .filter(e -> !e.getValue().idleSince().isAfter(idleBefore))
                .filter(e -> onlyBerthsNames(byId.get(e.getKey()), e.getValue().ref()))
                .sorted(Comparator.comparing((Map.Entry<String, ImageLedger.Entry> e) -> e.getValue().idleSince())
                        .thenComparing(Map.Entry::getKey))
                .toList();
        if (candidates.isEmpty()) {
            // A disk filled by others' images: nothing of Berth's to take, and no line every pass about it.
            log.debug("disk of Docker's data {}% full (above {}%): none of Berth's images unused for {}",
                    percent(usage.getAsDouble()), settings.gcHighPercent(), settings.gcMinAge());
            return new Pass(usage, List.of());
        }
        log.info("disk of Docker's data {}% full (above {}%): {} of Berth's images unused for {} or more",
                percent(usage.getAsDouble()), settings.gcHighPercent(), candidates.size(), settings.gcMinAge());
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, ImageLedger.Entry> candidate : candidates) {
            if (usage.isEmpty() || usage.getAsDouble() * 100 < settings.gcLowPercent()) {
                break;
            }
            if (remove(candidate.getKey(), candidate.getValue())) {
                removed.add(candidate.getKey());
                usage = usage();
            }
        }
        return new Pass(usage, List.copyOf(removed));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /**
     * Whether every tag of the image is of the repository Berth brought it as: a tag someone added since (their own
     * name for it) makes it theirs too, and it stays.
     */
    static boolean onlyBerthsNames(ImageInfo image, String ref) {
        String ours;
        try {
            ours = dev.berth.reconcilers.docker.ImageRef.parse(ref).name();
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (String tag : image.repoTags()) {
            try {
                if (!dev.berth.reconcilers.docker.ImageRef.parse(tag).name().equals(ours)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    private boolean remove(String id, ImageLedger.Entry entry) {
        try {
            images.remove(id);
        } catch (DockerActionException e) {
            // In use after all (a container made since the list, a child image) or Docker failed: keep it, look
            // again next pass.
            log.info("image {} id={} kept: {}", entry.ref(), id, e.getMessage());
            return false;
        }
        ledger.forget(id);
        removedTotal.increment();
        log.info("removed image {} id={} (unused since {})", entry.ref(), id, entry.idleSince());
        return true;
    }

    private void collectSafely() {
        try {
            collectOnce();
        } catch (RuntimeException e) {
            log.warn("image collection failed, trying again in {}: {}", settings.gcInterval(), e.getMessage());
        }
    }

    /** The used share of the filesystem holding Docker's data root, as kubelet counts it: 1 - available/capacity. */
    private OptionalDouble usage() {
        String why;
        try {
            if (dataRoot == null) {
                dataRoot = host.dataRoot();
            }
            FileStore store = fileStore(here.apply(Path.of(dataRoot)));
            long total = store.getTotalSpace();
            long usable = store.getUsableSpace();
            if (total <= 0) {
                throw new IOException("its filesystem reports no size");
            }
            double used = (double) (total - usable) / total;
            usedPpm.set(Math.round(used * 1e6));
            if (unmeasured != null) {
                log.info("measuring the disk of Docker's data root {} again", dataRoot);
                unmeasured = null;
            }
            return OptionalDouble.of(used);
        } catch (IOException | RuntimeException e) {
            why = e instanceof java.io.UncheckedIOException u ? String.valueOf(u.getCause()) : String.valueOf(e);
        }
        usedPpm.set(-1);
        if (unmeasured == null) {
            log.warn("cannot measure the disk of Docker's data root {} ({}): no image is collected until it can be"
                    + " (an operator in a container needs Docker's data root mounted at the same path)",
                    dataRoot == null ? "(docker info failed)" : dataRoot, why);
        }
        unmeasured = why;
        return OptionalDouble.empty();
    }

    private static FileStore fileStore(Path path) {
        try {
            return Files.getFileStore(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }


    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.1f", share * 100);
    }
}
