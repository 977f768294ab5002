package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.berth.reconcilers.labels.BerthLabels;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link ContainerStreams} through docker-java. Logs and exec stream for as long as they last, so they go through a
 * client without a response timeout ({@code streams}); the inspect calls through the ordinary one.
 */
public final class DockerJavaStreams implements ContainerStreams {
    private static final int EXIT_CODE_POLLS = 10;
    private static final long EXIT_CODE_POLL_MILLIS = 50;
    private final DockerClient docker;
    private final DockerClient streams;
    private final String instance;

    /** @param streams a client without a response timeout (see {@link DockerClients#connectForEvents}) */
    public DockerJavaStreams(DockerClient docker, DockerClient streams, String instance) {
        this.docker = docker;
        this.streams = streams;
        this.instance = instance;
    }

    @Override
    public Optional<String> managedContainer(String nameOrId) {
        try {
            InspectContainerResponse inspect = docker.inspectContainerCmd(nameOrId).exec();
            Map<String, String> labels = inspect.getConfig() == null ? null : inspect.getConfig().getLabels();
            return labels != null && instance.equals(labels.get(BerthLabels.MANAGED_BY))
                    ? Optional.of(inspect.getId()) : Optional.empty();
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect container " + nameOrId, e);
        }
    }

    @Override
    public void logs(String id, LogOptions options, Sink sink) throws IOException {
        LogContainerCmd cmd = streams.logContainerCmd(id).withStdOut(true).withStdErr(true)
                .withFollowStream(options.follow()).withTimestamps(options.timestamps());
        if (options.tail() != null) {
            cmd.withTail(options.tail());
        }
        if (options.sinceEpochSeconds() != null) {
            cmd.withSince((int) Math.min(Integer.MAX_VALUE, options.sinceEpochSeconds()));
        }
        Forward forward = new Forward(sink);
        try {
            cmd.exec(forward).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("logs of container " + id, e);
        } finally {
            forward.close();
        }
        forward.rethrow();
    }

    @Override
    public int exec(String id, List<String> command, Duration timeout, Sink sink) throws IOException {
        String execId;
        try {
            execId = docker.execCreateCmd(id).withCmd(command.toArray(String[]::new)).withAttachStdout(true)
                    .withAttachStderr(true).withAttachStdin(false).withTty(false).exec().getId();
        } catch (RuntimeException e) {
            throw DockerErrors.classify("exec in container " + id, e);
        }
        Forward forward = new Forward(sink);
        try {
            if (!streams.execStartCmd(execId).withDetach(false).withTty(false).exec(forward)
                    .awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DockerActionException("ExecTimeout", "the command in container " + id + " ran longer than "
                        + timeout.toSeconds() + "s; it may still be running there");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerActionException("ExecInterrupted", "interrupted while the command ran in container " + id);
        } catch (RuntimeException e) {
            throw e instanceof DockerActionException d ? d : DockerErrors.classify("exec in container " + id, e);
        } finally {
            forward.close();
        }
        forward.rethrow();
        try {
            return exitCode(execId);
        } catch (RuntimeException e) {
            throw DockerErrors.classify("inspect exec in container " + id, e);
        }
    }

    /**
     * The command's exit code. Docker may answer the inspect before it recorded the end (the attach stream closes
     * first: moby's race), so a missing code is asked again a few times, bounded; -1 when it never comes.
     */
    private int exitCode(String execId) {
        for (int attempt = 0; ; attempt++) {
            var inspect = docker.inspectExecCmd(execId).exec();
            Long code = inspect.getExitCodeLong();
            if (code != null && !Boolean.TRUE.equals(inspect.isRunning())) {
                return code.intValue();
            }
            if (attempt >= EXIT_CODE_POLLS) {
                return code == null ? -1 : code.intValue();
            }
            try {
                Thread.sleep(EXIT_CODE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    /** Docker's frames to the sink; a sink that throws closes the stream, and the error is thrown by the caller. */
    private static final class Forward extends ResultCallback.Adapter<Frame> {
        private final Sink sink;
        private volatile IOException failed;
        /** Set before this side closes the stream: the read that then fails is no error worth a log line. */
        private volatile boolean closing;

        Forward(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void onNext(Frame frame) {
            if (failed != null || frame.getPayload() == null || frame.getPayload().length == 0) {
                return;
            }
            try {
                sink.frame(frame.getStreamType() == StreamType.STDERR ? Stream.STDERR : Stream.STDOUT, frame.getPayload());
            } catch (IOException e) {
                failed = e;
                close();
            }
        }

        /** A stream that starts after this side closed (the client went first) is closed at once. */
        @Override
        public void onStart(java.io.Closeable stream) {
            super.onStart(stream);
            if (closing) {
                try {
                    stream.close();
                } catch (IOException ignored) {
                    // The stream is gone either way.
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            if (!closing) {
                super.onError(error);
            }
        }

        @Override
        public void close() {
            closing = true;
            try {
                super.close();
            } catch (IOException ignored) {
                // The stream is gone either way.
            }
        }

        void rethrow() throws IOException {
            if (failed != null) {
                throw failed;
            }
        }
    }
}
