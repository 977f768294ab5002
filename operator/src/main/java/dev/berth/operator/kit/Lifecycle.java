package dev.berth.operator.kit;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's parts in the order they start; they stop in reverse order, each once, and a part that fails to
 * stop does not keep the others running. Replaces hand-written start and stop sequences.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    /** A part with something to start and something to stop (either may do nothing). */
    public record Part(String name, Runnable start, Runnable stop) {
    }

    private final List<Part> parts = new ArrayList<>();
    private boolean closed;

    public Lifecycle add(String name, Runnable start, Runnable stop) {
        parts.add(new Part(name, start, stop));
        return this;
    }

    /** A part that only needs stopping (a client, a connection): stopped after everything added after it. */
    public Lifecycle closes(String name, AutoCloseable closeable) {
        return add(name, () -> { }, () -> {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public synchronized void start() {
        for (Part part : parts) {
            part.start().run();
        }
    }

    public synchronized List<String> names() {
        return parts.stream().map(Part::name).toList();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Parts that were never started (construction failed midway) still hold resources: stop them all.
        for (int i = parts.size() - 1; i >= 0; i--) {
            Part part = parts.get(i);
            try {
                part.stop().run();
            } catch (RuntimeException e) {
                log.warn("stopping {} failed: {}", part.name(), e.toString());
            }
        }
    }
}
