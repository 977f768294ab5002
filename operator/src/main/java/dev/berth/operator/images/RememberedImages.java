package dev.berth.operator.images;

import dev.berth.reconcilers.docker.BuildRequest;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.ImageInfo;
import dev.berth.reconcilers.docker.RegistryAuth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * This host's images, with what {@link #inspect} found remembered until an image changes. Every stack pass asks
 * whether its images are here; at rest that was one inspect per service and resync (4,000 calls in 80 s with 500
 * stacks). An image found stays found until Docker reports an image event ({@link #forgetAll}, wired to the event
 * stream, which also calls it when the stream ended and events may have been missed, and to Docker's calls: a
 * container create that finds no image), this process pulls, pushes, builds, tags or removes one, or {@code maxAge}
 * passed (a net for a change nobody reported). Absent images are never remembered: the next pass looks again.
 */
public final class RememberedImages implements DockerImages {
    /** The net's width: a change Docker did not report is seen within this. */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);

    private record Found(ImageInfo image, Instant at) {
    }

    private final DockerImages docker;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Found> found = new ConcurrentHashMap<>();
    /** Moves on every forget: an inspect that began before it must not store what it read. */
    private final AtomicLong generation = new AtomicLong();

    public RememberedImages(DockerImages docker, Clock clock, Duration maxAge) {
        this.docker = docker;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** Forgets every answer: an image on the host may have changed. */
    public void forgetAll() {
        generation.incrementAndGet();
        found.clear();
    }

    @Override
    public Optional<ImageInfo> inspect(String ref) {
        Found known = found.get(ref);
        Instant now = clock.instant();
        if (known != null && now.isBefore(known.at().plus(maxAge))) {
            return Optional.of(known.image());
        }
        long before = generation.get();
        Optional<ImageInfo> here = docker.inspect(ref);
        if (here.isPresent()) {
            found.put(ref, new Found(here.get(), now));
            if (generation.get() != before) {
                found.remove(ref); // forgotten while it was read: the answer may predate the change
            }
        } else {
            found.remove(ref);
        }
        return here;
    }

    @Override
    public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
        try {
            return docker.pull(ref, auth, timeout, progress);
        } finally {
            forgetAll();
        }
    }

    @Override
    public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
        try {
            return docker.push(ref, auth, timeout); // a push gives the image a repository digest
        } finally {
            forgetAll();
        }
    }

    @Override
    public String build(BuildRequest request, Consumer<String> output) {
        try {
            return docker.build(request, output);
        } finally {
            forgetAll();
        }
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
        try {
            docker.tag(imageId, repository, tag);
        } finally {
            forgetAll();
        }
    }

    @Override
    public List<ImageInfo> list() {
        return docker.list();
    }

    @Override
    public void remove(String imageId) {
        try {
            docker.remove(imageId);
        } finally {
            forgetAll();
        }
    }
}
