package dev.berth.operator.kit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of one {@link Source}: every event goes to each of them; one that throws does not stop the others. */
public final class Topic<E> implements Source<E> {
    private static final Logger log = LoggerFactory.getLogger(Topic.class);

    private final String name;
    private final List<Consumer<E>> handlers = new CopyOnWriteArrayList<>();

    /** @param name what the events are about, for the log line of a failing handler */
    public Topic(String name) {
        this.name = name;
    }

    @Override
    public void addHandler(Consumer<E> handler) {
        handlers.add(handler);
    }

    public void publish(E event) {
        for (Consumer<E> handler : handlers) {
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                log.error("{} {}: handler failed", name, event, e);
            }
        }
    }
}
