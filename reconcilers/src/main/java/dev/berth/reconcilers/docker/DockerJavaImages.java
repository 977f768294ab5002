package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.model.BuildResponseItem;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@link DockerImages} through docker-java. */
public final class DockerJavaImages implements DockerImages {
    private final DockerClient docker;

    public DockerJavaImages(DockerClient docker) {
        this.docker = docker;
    }

    @Override
    public Optional<ImageInfo> inspect(String ref) {
        throw new UnsupportedOperationException("inspect: not yet");
    }

    @Override
    public ImageInfo pull(String ref, Optional<RegistryAuth> auth, Duration timeout, Consumer<String> progress) {
        throw new UnsupportedOperationException("pull: not yet");
    }

    @Override
    public String push(String ref, Optional<RegistryAuth> auth, Duration timeout) {
        throw new UnsupportedOperationException("push: not yet");
    }

    @Override
    public String build(BuildRequest request, Consumer<String> output) {
        BuildOutput lines = new BuildOutput(output);
        BuildImageCmd cmd;
        try {
            cmd = docker.buildImageCmd().withTarInputStream(request.context().get());
        } catch (RuntimeException e) {
            throw new DockerActionException(BUILD_FAILED, "cannot read the build context: " + e.getMessage(), e);
        }
        // pull=false: FROM images come from the host (or were pulled by Berth with its credentials); the cache is
        // kept, since the tag already says whether the context changed.
        cmd.withDockerfilePath(request.dockerfile()).withPull(false).withRemove(true)
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
                throw new DockerActionException(BUILD_FAILED, "build failed: " + failureText(callback.failure)
                        + lines.tail(), callback.failure);
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

        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            super.onError(throwable);
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
        throw new UnsupportedOperationException("tag: not yet");
    }

    @Override
    public List<ImageInfo> list() {
        throw new UnsupportedOperationException("list: not yet");
    }

    @Override
    public void remove(String imageId) {
        throw new UnsupportedOperationException("remove: not yet");
    }
}
