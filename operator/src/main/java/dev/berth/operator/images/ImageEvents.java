package dev.berth.operator.images;

import dev.berth.operator.events.EventRecorder;
import dev.berth.reconcilers.docker.DockerImages;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events about a stack's images, from where each service's image stood in the last pass and stands now: Pulled
 * (or Built) when a pull (build) it waited for ended with the image here, with the reference it runs (the digest);
 * a Warning with the failure's reason (ImagePullFailed, ImageNotFound, BuildFailed) when it turns failed or fails
 * differently. The puller knows images, not stacks; the stack pass knows both.
 */
final class ImageEvents {
    private final EventRecorder events;
    /** By stack, then service: a stack's pass touches only its own entries (a flat map made each pass scan them all). */
    private final Map<String, Map<String, ImageState>> last = new ConcurrentHashMap<>();

    ImageEvents(EventRecorder events) {
        this.events = events;
    }

    void seen(String stack, String service, String image, ImageState now) {
        ImageState before = last.computeIfAbsent(stack, k -> new ConcurrentHashMap<>()).put(service, now);
        // A retry of a failed pull or build answers with the failure while it runs: Ready after it is its success.
        boolean waited = before instanceof ImageState.InProgress || before instanceof ImageState.Failed f
                && (DockerImages.IMAGE_PULL_FAILED.equals(f.reason()) || DockerImages.BUILD_FAILED.equals(f.reason()));
        if (now instanceof ImageState.Ready ready && waited) {
            boolean built = before instanceof ImageState.InProgress p ? ImageState.BUILDING.equals(p.reason())
                    : DockerImages.BUILD_FAILED.equals(((ImageState.Failed) before).reason());
            events.normal("stack", stack, built ? "Built" : "Pulled", "service " + service + ": "
                    + (built ? "built image " : "pulled image ") + image + " as " + ready.ref());
        } else if (now instanceof ImageState.Failed failed && !(before instanceof ImageState.Failed f
                && Objects.equals(f.reason(), failed.reason()) && Objects.equals(f.message(), failed.message()))) {
            events.warning("stack", stack, failed.reason(), "service " + service + ": " + failed.message());
        }
    }

    /** What is remembered stays bounded by the specs: only the services {@code stack}'s current spec names. */
    void keepOnly(String stack, Set<String> services) {
        Map<String, ImageState> ofStack = last.get(stack);
        if (ofStack != null) {
            ofStack.keySet().retainAll(services);
        }
    }

    /** The stack is gone (or runs nothing here): nothing of it is remembered. */
    void forget(String stack) {
        last.remove(stack);
    }

    /** How many stack/service states are remembered (for tests). */
    int remembered() {
        return last.values().stream().mapToInt(Map::size).sum();
    }
}
