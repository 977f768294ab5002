package dev.berth.operator.cache;

import dev.berth.reconcilers.stack.ObservedStack;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-your-writes for the observed cache, as Kubernetes' ReplicaSet controller keeps ControllerExpectations: after
 * a reconciler acts on an owner it expects the cache to show that, and until a list that began after the action
 * has been seen, the cache's view of that owner is not trusted (a container just started may still look
 * "created"; acting on that would replace a healthy container) and a fresh list is taken instead. Owners nobody
 * acted on, and owners whose actions the cache already shows, cost no Docker call.
 */
public final class ObservedExpectations {
    private final ObservedCache cache;
    /** Owner -> System.nanoTime() just after the last action on it that the cache may not show yet. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();

    public ObservedExpectations(ObservedCache cache) {
        this.cache = cache;
    }

    /** Records that the caller just changed (or tried to change) what the owner has. */
    public void acted(String owner) {
        pending.put(owner, System.nanoTime());
    }

    /** Whether the cache shows every action taken on the owner (then its view may be used as it is). */
    public boolean satisfied(String owner) {
        Long actedAt = pending.get(owner);
        if (actedAt == null) {
            return true;
        }
        if (cache.listedAfter(actedAt)) {
            pending.remove(owner, actedAt);
            return true;
        }
        return false;
    }

    /**
     * The owner's observed state to plan from: the cache's view when the expectations are met, else a fresh list
     * (shared with other callers asking at the same time; it began after the action, so it meets them).
     *
     * @throws IllegalStateException when Docker cannot be listed
     */
    public ObservedStack view(String owner) {
        if (satisfied(owner)) {
            return cache.forOwner(owner);
        }
        Long actedAt = pending.get(owner);
        ObservedStack fresh = cache.refreshNow(owner);
        if (actedAt != null) {
            pending.remove(owner, actedAt);
        }
        return fresh;
    }
}
