package dev.berth.reconcilers.docker;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a person asks of one container through the operator API: its log and a command run in it. Only containers of
 * this instance ({@code berth.dev/managed-by}) are found; anything else on the host is invisible here as everywhere.
 * Both calls block the calling thread for as long as the stream lasts and hand Docker's frames to a {@link Sink}.
 */
public interface ContainerStreams {
    /** Where one frame came from. */
    enum Stream { STDOUT, STDERR }

    /** Takes frames in order; throwing (the client went away) ends the stream. */
    interface Sink {
        void frame(Stream stream, byte[] bytes) throws IOException;
    }

    /**
     * What {@code docker logs} is asked: follow, the last {@code tail} lines (null: all), lines since a Unix time in
     * seconds (null: from the start), Docker's RFC 3339 timestamps in front of each line.
     */
    record LogOptions(boolean follow, Integer tail, Long sinceEpochSeconds, boolean timestamps) {
    }

    /** The id of the container of this name (or id) when this instance manages it. */
    Optional<String> managedContainer(String nameOrId);

    /** The container's log until its end (with follow: until the container stops or the sink throws). */
    void logs(String id, LogOptions options, Sink sink) throws IOException;

    /**
     * Runs {@code command} in the running container without a TTY or stdin, its output to the sink; returns its exit
     * code. A command running longer than {@code timeout} is left running in the container (Docker cannot kill an
     * exec) and reported as a {@link DockerActionException}.
     */
    int exec(String id, List<String> command, Duration timeout, Sink sink) throws IOException;
}
