package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.model.BuildResponseItem;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link DockerImages} through docker-java. Pulls, pushes and builds stream for as long as they take, bounded by their
 * own timeouts, so they go through a client without a response timeout ({@code streams}); short calls (inspect, tag,
 * list, remove) through the ordinary one.
 */
public final class DockerJavaImages implements DockerImages {
    private final DockerClient docker;
    private final DockerClient streams;

    /** One client for everything: a pull that stays silent longer than its response timeout is cut by it. */
    public DockerJavaImages(DockerClient docker) {
        this(docker, docker);
    }

    /** @param streams a client without a response timeout (see {@link DockerClients#connectForEvents}) */
    public DockerJavaImages(DockerClient docker, DockerClient streams) {
        this.docker = docker;
        this.streams = streams;
    }

    @Override
    public Optional<ImageInfo> inspect(String ref) {
        try {
            return Optional.of(info(docker.inspectImageCmd(lookupName(ref)).exec()));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect image " + ref, e);
        }
    }

    /**
     * The failure's message is Docker's or the registry's own ("unauthorized: authentication required", "manifest
     * unknown", "... connection refused"), without the reference: the caller says what it pulled.
     */
    @Override
    public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
        ImageRef parsed = ImageRef.parse(ref);
        // Docker's API takes the name and, in "tag", a tag or a digest; without one it pulls EVERY tag. With both
        // a tag and a digest the digest decides (as `docker pull` does).
        String tagOrDigest = parsed.pinned() ? parsed.digest() : parsed.effectiveTag().orElseThrow();
        PullWatcher watcher = new PullWatcher(progress);
        try {
            streams.pullImageCmd(parsed.name()).withTag(tagOrDigest).withAuthConfig(authConfig(auth).orElse(null))
                    .exec(watcher);
        } catch (RuntimeException e) {
            throw failure(IMAGE_PULL_FAILED, e);
        }
        watcher.await(IMAGE_PULL_FAILED, "pull", timeout);
        return inspect(parsed.pinned() ? parsed.name() + "@" + parsed.digest() : parsed.name() + ":" + tagOrDigest)
                .orElseThrow(() -> new DockerActionException(IMAGE_PULL_FAILED, "the pull ended but the image is not"
                        + " on the host"));
    }

    /** Returns the digest the registry gave in the push's output, else the image's repository digest afterwards. */
    @Override
    public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
        ImageRef parsed = ImageRef.parse(ref);
        String tag = parsed.effectiveTag().orElseThrow(() -> new IllegalArgumentException(
                "push needs a tag, not a digest: " + ref));
        PushWatcher watcher = new PushWatcher();
        try {
            // Docker's push needs the header even without a login; an empty one means anonymous.
            streams.pushImageCmd(parsed.name()).withTag(tag).withAuthConfig(authConfig(auth).orElseGet(AuthConfig::new))
                    .exec(watcher);
        } catch (RuntimeException e) {
            throw failure(IMAGE_PUSH_FAILED, e);
        }
        watcher.await(IMAGE_PUSH_FAILED, "push", timeout);
        return watcher.digest.or(() -> inspect(parsed.name() + ":" + tag).flatMap(i -> digestFor(i, parsed.name())))
                .orElseThrow(() -> new DockerActionException(IMAGE_PUSH_FAILED, "the push ended without a digest"));
    }

    /** The digest of {@code name} among the image's repository digests ({@code name@sha256:...}). */
    public static Optional<String> digestFor(ImageInfo image, String name) {
        return image.repoDigests().stream().filter(d -> d.startsWith(name + "@")).findFirst()
                .map(d -> d.substring(name.length() + 1));
    }

    private static String lookupName(String ref) {
        // With a digest the tag says nothing more (the digest names the image); "name@digest" is the form the daemon
        // keeps in RepoDigests and looks up.
        if (ref.contains("@") && !ref.startsWith("sha256:")) {
            ImageRef parsed = ImageRef.parse(ref);
            return parsed.name() + "@" + parsed.digest();
        }
        return ref;
    }

    private static ImageInfo info(InspectImageResponse image) {
        Map<String, String> labels = image.getConfig() == null ? null : image.getConfig().getLabels();
        return new ImageInfo(image.getId(), image.getRepoTags(), image.getRepoDigests(), labels,
                image.getSize() == null ? 0 : image.getSize(), created(image.getCreated()));
    }

    private static Instant created(String text) {
        if (text == null || text.isBlank()) {
            return Instant.EPOCH;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** The login for Docker's X-Registry-Auth header; serveraddress is the registry as the image names it. */
    private static Optional<AuthConfig> authConfig(Optional<RegistryAuth> auth) {
        return auth.map(a -> new AuthConfig().withRegistryAddress(a.registry()).withUsername(a.username())
                .withPassword(a.password()));
    }

    /**
     * A failed pull or push as the registry said it. docker-java's exception text is Docker's response body (or an
     * I/O error's): the request header with the login is never part of it.
     */
    private static DockerActionException failure(String reason, Throwable e) {
        if (e instanceof DockerActionException d) {
            return d;
        }
        if (!(e instanceof DockerException) && hasCause(e, java.io.IOException.class)) {
            return new DockerActionException(reason, "Docker is not reachable: " + rootMessage(e), e);
        }
        RuntimeException r = e instanceof RuntimeException re ? re : new RuntimeException(e.getMessage(), e);
        return new DockerActionException(reason, DockerErrors.dockerMessage(r), e);
    }

    private static boolean hasCause(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + "ms";
        }
        if (s < 120) {
            return s + "s";
        }
        return s % 60 == 0 ? s / 60 + "m" : s / 60 + "m" + s % 60 + "s";
    }

    /**
     * Follows a pull's or push's JSON stream: the first error item (Docker reports most registry failures there,
     * after the HTTP status was already 200) ends it as a failure.
     */
    private abstract static class StreamWatcher<T extends ResponseItem> extends ResultCallback.Adapter<T> {
        private volatile String error;
        private volatile Throwable thrown;

        /** Kept for {@link #await}, not logged here: the caller reports it once, with what it was pulling. */
        @Override
        public void onError(Throwable throwable) {
            if (thrown == null) {
                thrown = throwable;
            }
            closeQuietly();
        }

        @Override
        public void onNext(T item) {
            if (item.isErrorIndicated() && error == null) {
                error = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                        ? item.getErrorDetail().getMessage() : item.getError();
                return;
            }
            seen(item);
        }

        abstract void seen(T item);

        /** Waits for the stream's end, at most {@code timeout}; closing the stream makes Docker cancel the pull. */
        void await(String reason, String what, Duration timeout) {
            boolean done;
            try {
                done = awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                closeQuietly();
                Thread.currentThread().interrupt();
                throw new DockerActionException(reason, what + " interrupted");
            } catch (RuntimeException e) {
                throw failure(reason, e);
            }
            if (!done) {
                closeQuietly();
                throw new DockerActionException(reason, what + " timed out after " + human(timeout));
            }
            if (error == null && thrown != null) {
                throw failure(reason, thrown);
            }
            if (error != null) {
                throw new DockerActionException(reason, error);
            }
        }

        private void closeQuietly() {
            try {
                close();
            } catch (java.io.IOException | RuntimeException e) {
                // the stream is being abandoned either way
            }
        }
    }

    /** Turns per-layer progress into one line per second ("2 of 5 layers, 12.3 MB of 40.1 MB"). */
    private static final class PullWatcher extends StreamWatcher<PullResponseItem> {
        private static final long EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
        private final Consumer<String> progress;
        private final Map<String, long[]> layers = new HashMap<>();
        private long lastLine = System.nanoTime() - EVERY_NANOS;

        PullWatcher(Consumer<String> progress) {
            this.progress = progress;
        }

        @Override
        synchronized void seen(PullResponseItem item) {
            String status = item.getStatus();
            if (status == null) {
                return;
            }
            String id = item.getId();
            if (id == null || status.startsWith("Pulling from")) {
                tell(status);
                return;
            }
            long[] layer = layers.computeIfAbsent(id, k -> new long[] {0, 0, 0});
            var detail = item.getProgressDetail();
            if (status.equals("Downloading") && detail != null && detail.getTotal() != null) {
                layer[0] = detail.getCurrent() == null ? 0 : detail.getCurrent();
                layer[1] = detail.getTotal();
            } else if (status.equals("Download complete") || status.equals("Pull complete")
                    || status.equals("Already exists")) {
                layer[0] = layer[1];
                layer[2] = 1;
            }
            if (System.nanoTime() - lastLine >= EVERY_NANOS) {
                long done = layers.values().stream().filter(l -> l[2] == 1).count();
                long current = layers.values().stream().mapToLong(l -> l[0]).sum();
                long total = layers.values().stream().mapToLong(l -> l[1]).sum();
                tell(done + " of " + layers.size() + " layers, " + megabytes(current) + " of " + megabytes(total));
            }
        }

        private void tell(String line) {
            lastLine = System.nanoTime();
            try {
                progress.accept(line);
            } catch (RuntimeException e) {
                // a listener's mistake must not fail the pull
            }
        }

        private static String megabytes(long bytes) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
        }
    }

    /** Keeps the digest the registry gave: in the aux item, or in the status line "tag: digest: sha256:... size: N". */
    private static final class PushWatcher extends StreamWatcher<PushResponseItem> {
        private static final Pattern DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");
        private volatile Optional<String> digest = Optional.empty();

        @Override
        void seen(PushResponseItem item) {
            if (item.getAux() != null && item.getAux().getDigest() != null) {
                digest = Optional.of(item.getAux().getDigest());
            } else if (item.getStatus() != null && digest.isEmpty()) {
                Matcher m = DIGEST.matcher(item.getStatus());
                if (m.find()) {
                    digest = Optional.of(m.group(1));
                }
            }
        }
    }

    @Override
    public String build(BuildRequest request, Consumer<String> output) {
        BuildOutput lines = new BuildOutput(output);
        BuildImageCmd cmd;
        try {
            cmd = streams.buildImageCmd().withTarInputStream(request.context().get());
        } catch (RuntimeException e) {
            throw new DockerActionException(BUILD_FAILED, "cannot read the build context: " + e.getMessage(), e);
        }
        // pull=false: FROM images come from the host (or were pulled by Berth with its credentials); the cache is
        // kept, since the tag already says whether the context changed.
        cmd.withDockerfilePath(request.dockerfile()).withPull(false).withRemove(true)
                // A failed RUN step leaves its container behind unless told otherwise: nothing of a build may stay.
                .withForcerm(true)
                .withTags(new LinkedHashSet<>(request.tags())).withLabels(request.labels());
        request.args().forEach(cmd::withBuildArg);
        if (request.target() != null && !request.target().isBlank()) {
            cmd.withTarget(request.target());
        }
        try (BuildCallback callback = cmd.exec(new BuildCallback(lines))) {
            boolean finished;
            try {
                finished = callback.awaitCompletion(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DockerActionException(BUILD_FAILED, "build interrupted" + lines.tail(), e);
            }
            if (!finished) {
                // closing the callback drops the connection, and the daemon cancels a build whose client went away
                throw new DockerActionException(BUILD_FAILED, "build did not finish within "
                        + request.timeout().toSeconds() + " s" + lines.tail());
            }
            if (callback.failure != null) {
                String text = callback.failure instanceof RuntimeException e ? DockerErrors.dockerMessage(e)
                        : failureText(callback.failure);
                throw new DockerActionException(BUILD_FAILED, "build failed: " + text + lines.tail(), callback.failure);
            }
            if (lines.error != null) {
                throw new DockerActionException(BUILD_FAILED, "build failed: " + lines.error + lines.tail());
            }
            if (callback.imageId == null) {
                throw new DockerActionException(BUILD_FAILED, "build ended without an image" + lines.tail());
            }
            return callback.imageId.startsWith("sha256:") ? callback.imageId : "sha256:" + callback.imageId;
        } catch (java.io.IOException e) {
            throw new DockerActionException(BUILD_FAILED, "build failed: " + e.getMessage() + lines.tail(), e);
        } catch (DockerActionException e) {
            throw e;
        } catch (RuntimeException e) {
            // the daemon refused the request itself (a Dockerfile that does not parse: 400 with its message)
            throw new DockerActionException(BUILD_FAILED, "build failed: " + DockerErrors.dockerMessage(e)
                    + lines.tail(), e);
        }
    }

    private static String failureText(Throwable failure) {
        String text = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return text.replace('\n', ' ').strip();
    }

    /** Reads the build's JSON messages: output lines, the error, the new image's id. */
    private static final class BuildCallback extends ResultCallback.Adapter<BuildResponseItem> {
        private final BuildOutput lines;
        private volatile String imageId;
        private volatile Throwable failure;

        BuildCallback(BuildOutput lines) {
            this.lines = lines;
        }

        @Override
        public void onNext(BuildResponseItem item) {
            if (item.getStream() != null) {
                lines.add(item.getStream());
            }
            if (item.isErrorIndicated()) {
                String error = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                        ? item.getErrorDetail().getMessage() : item.getError();
                lines.error(error);
            }
            if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
                imageId = item.getImageId();
            }
        }

        /** Kept for the caller's message (the template's own onError logs every refused build as an ERROR). */
        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            try {
                close();
            } catch (java.io.IOException e) {
                // the stream is gone either way
            }
        }
    }

    /**
     * The build's output, split into lines for the caller, with the last {@link #TAIL} kept for the message of a
     * failure (the failing "Step N/M : ..." and the error among them).
     */
    private static final class BuildOutput {
        private static final int TAIL = 15;
        private final Consumer<String> output;
        private final ArrayDeque<String> last = new ArrayDeque<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile String error;

        BuildOutput(Consumer<String> output) {
            this.output = output;
        }

        synchronized void add(String text) {
            partial.append(text);
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                emit(partial.substring(0, newline));
                partial.delete(0, newline + 1);
            }
        }

        synchronized void error(String message) {
            flush();
            error = message == null ? "unknown error" : message.strip();
            emit(error);
        }

        private void flush() {
            if (partial.length() > 0) {
                emit(partial.toString());
                partial.setLength(0);
            }
        }

        private void emit(String line) {
            String clean = line.replace("\r", "").stripTrailing();
            if (clean.isBlank()) {
                return;
            }
            last.addLast(clean);
            while (last.size() > TAIL) {
                last.removeFirst();
            }
            try {
                output.accept(clean);
            } catch (RuntimeException e) {
                // whoever logs the output must not break the build
            }
        }

        synchronized String tail() {
            flush();
            return last.isEmpty() ? "" : "\n" + String.join("\n", last);
        }
    }

    @Override
    public void tag(String imageId, String repository, String tag) {
        try {
            docker.tagImageCmd(imageId, repository, tag).withForce(true).exec();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("tag image " + imageId + " as " + repository + ":" + tag, e);
        }
    }

    @Override
    public List<ImageInfo> list() {
        try {
            // Top-level images only: intermediate layers are removed with the image that holds them.
            return docker.listImagesCmd().withShowAll(false).exec().stream().map(DockerJavaImages::listed).toList();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("list images", e);
        }
    }

    @Override
    public void remove(String imageId) {
        String what = "remove image " + imageId;
        try {
            docker.removeImageCmd(imageId).withForce(false).exec();
        } catch (NotFoundException e) {
            return;
        } catch (ConflictException e) {
            if (!DockerErrors.dockerMessage(e).contains("referenced in multiple repositories")) {
                throw inUse(what, e);
            }
            // Not forced, Docker removes by id only an image whose names share one repository: take the names one
            // by one; the last one goes only with the image, and only when no container uses it.
            removeNames(imageId, what);
        } catch (RuntimeException e) {
            throw DockerErrors.classify(what, e);
        }
    }

    private void removeNames(String imageId, String what) {
        // Docker checks for containers only when the last name goes: look first, so a used image keeps its names.
        if (!docker.listContainersCmd().withShowAll(true).withAncestorFilter(List.of(imageId)).exec().isEmpty()) {
            throw new DockerActionException(IMAGE_IN_USE, what + ": a container uses it");
        }
        List<String> tags;
        try {
            tags = Optional.ofNullable(docker.inspectImageCmd(imageId).exec().getRepoTags()).orElse(List.of());
        } catch (NotFoundException e) {
            return;
        }
        for (String tag : tags) {
            try {
                docker.removeImageCmd(tag).withForce(false).exec();
            } catch (NotFoundException e) {
                // Moved or removed by someone else meanwhile: the image is not named by it any more.
            } catch (ConflictException e) {
                throw inUse(what, e);
            }
        }
        try {
            docker.removeImageCmd(imageId).withForce(false).exec();
        } catch (NotFoundException e) {
            // The last name took the image with it.
        } catch (ConflictException e) {
            throw inUse(what, e);
        }
    }

    private static DockerActionException inUse(String what, ConflictException e) {
        return new DockerActionException(IMAGE_IN_USE, what + ": " + DockerErrors.dockerMessage(e), e);
    }

    private static ImageInfo listed(Image image) {
        return new ImageInfo(image.getId(), named(image.getRepoTags()), named(image.getRepoDigests()),
                image.getLabels(), image.getSize() == null ? 0 : image.getSize(),
                image.getCreated() == null ? Instant.EPOCH : Instant.ofEpochSecond(image.getCreated()));
    }

    /** Docker lists an image without names as {@code <none>:<none>} / {@code <none>@<none>}: no name at all. */
    private static List<String> named(String[] names) {
        return names == null ? List.of() : Arrays.stream(names).filter(n -> !n.startsWith("<none>")).toList();
    }
}
