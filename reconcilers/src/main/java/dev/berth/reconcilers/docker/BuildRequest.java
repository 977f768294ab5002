package dev.berth.reconcilers.docker;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One image build: the context as a tar stream (opened once per attempt), the Dockerfile's path inside it, build
 * arguments, the stage to build (null for the last), the tags to give the result ({@code repository:tag}), labels
 * to put on it (Berth marks what it built, so the collector knows it may remove it) and how long it may take.
 */
public record BuildRequest(Supplier<InputStream> context, String dockerfile, Map<String, String> args, String target,
                           List<String> tags, Map<String, String> labels, Duration timeout) {
    public BuildRequest {
        args = args == null ? Map.of() : Map.copyOf(args);
        tags = tags == null ? List.of() : List.copyOf(tags);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
