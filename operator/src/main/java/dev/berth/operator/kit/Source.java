package dev.berth.operator.kit;

import java.util.function.Consumer;

/**
 * Something controllers watch: an etcd prefix, Docker's events, a view derived from them. Every event only says
 * "look at this"; handlers map it to keys (level-triggered: the reconciler reads the whole state itself).
 *
 * @param <E> what an event names: an object key, an owner, a name
 */
public interface Source<E> {
    /** Adds a handler; called on the source's own thread, so it must be quick and must not block. */
    void addHandler(Consumer<E> handler);
}
