package dev.berth.operator.cache;

import dev.berth.reconcilers.docker.DockerEvent;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.labels.BerthLabels;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Docker is steady enough for Berth to change containers. A dockerd that shuts down first stops every
 * container (kill, die, stop events, exactly as {@code docker stop}) while its API still answers, and only then goes
 * away; a pass acting on those exited containers would remove what Docker restarts by itself when it comes back. So
 * Berth holds container changes
 * <ul>
 *   <li>while Docker is unreachable (a list failed, or the event stream ended and no list has worked since),</li>
 *   <li>for {@code settle} after it is reachable again (it restarts its own containers first),</li>
 *   <li>while a container of ours is being stopped (a stop signal seen, no death yet; bounded by its grace period),</li>
 *   <li>for {@code settle} after a container of ours died and stayed down: Docker restarts it under its policy, or
 *       the daemon is going down; a container a person stopped is replaced after that.</li>
 * </ul>
 * A cut event stream alone holds nothing once a list works: the resync then repairs what the missed events hid.
 * Fed on the cache's thread, asked from the reconcilers' threads: every method is synchronized.
 */
final class DockerSteadiness {
    private static final Logger log = LoggerFactory.getLogger(DockerSteadiness.class);
    /** Docker's own default stop timeout, for a stop of a container without Berth's grace label. */
    private static final long DEFAULT_STOP_SECONDS = 10;
    /** The shortest requeue a hold asks for: a hold that ends in a few milliseconds still waits this long. */
    private static final Duration MIN_HOLD = Duration.ofMillis(200);
    /**
     * A dockerd going down may answer one more call between two refused ones: the outage is warned of once in this
     * long, and a return within it is said at INFO only.
     */
    private static final Duration WARN_AGAIN_AFTER = Duration.ofMinutes(1);

    /** Signals of a kill event that are no stop to wait for: SIGKILL, and HUP, USR1, USR2, WINCH (reloads). */
    private static final Set<String> NOT_A_STOP = Set.of("9", "SIGKILL", "1", "SIGHUP", "10", "SIGUSR1", "12", "SIGUSR2",
            "28", "SIGWINCH");

    private final LongSupplier nanos;
    private final long settleNanos;
    /** Containers seen dying (id → when), until they run again, are removed, or are listed running. */
    private final Map<String, Long> died = new HashMap<>();
    /** Containers sent a stop signal (id → until when that may take), until they die or are removed. */
    private final Map<String, Long> stopping = new HashMap<>();
    /** Since when Docker did not answer (a failed list or an ended stream); null while it answers. */
    private Long unreachableSince;
    /** Each container's state in the last list, to see stops the events did not tell. */
    private Map<String, String> lastStates = new HashMap<>();
    /** When an established event stream last ended (a dockerd going down closes it). */
    private long streamEnded;
    /** Whether the last failure was a failed call (not only an ended stream): then a return settles first. */
    private boolean callsFailed;
    private long reachableAgain;
    private boolean holding;
    /** When the last "not reachable" warning was logged; null before the first. */
    private Long warnedAt;
    /** The Docker host, named in the warning: which one does not answer (a socket proxy's address, say). */
    private final String dockerHost;

    DockerSteadiness(LongSupplier nanos, Duration settle, String dockerHost) {
        this.dockerHost = dockerHost;
        this.nanos = nanos;
        this.settleNanos = settle.toNanos();
        this.reachableAgain = nanos.getAsLong() - settleNanos;
        this.streamEnded = reachableAgain;
    }

    synchronized void event(DockerEvent event) {
        if (!"container".equals(event.type())) {
            return;
        }
        long now = nanos.getAsLong();
        switch (event.action()) {
            case "kill" -> {
                // SIGKILL ends it at once (Berth's own forced removes); the usual reload signals (docker kill -s HUP)
                // stop nothing; other signals may be a stop that takes its grace.
                if (!NOT_A_STOP.contains(String.valueOf(event.attributes().get("signal")))) {
                    stopping.put(event.id(), now + Duration.ofSeconds(graceSeconds(event.attributes())).toNanos());
                }
            }
            case "die" -> {
                stopping.remove(event.id());
                died.put(event.id(), now);
            }
            case "start", "restart", "destroy" -> {
                stopping.remove(event.id());
                died.remove(event.id());
            }
            default -> {
                // other actions say nothing about a container going down
            }
        }
    }

    /** A list of containers worked: Docker answers; containers listed running (or gone) are no longer waited for. */
    synchronized void listed(List<ListedContainer> containers) {
        answered();
        clearListed(containers);
    }

    /** A call worked (a list of networks only, say): Docker answers. */
    synchronized void answered() {
        if (unreachableSince != null) {
            if (callsFailed) {
                reachableAgain = nanos.getAsLong();
                log.info("observed: Docker is reachable again; container changes resume in {} ms unless it goes away again",
                        Duration.ofNanos(settleNanos).toMillis());
            }
            unreachableSince = null;
            callsFailed = false;
        }
    }

    private void clearListed(List<ListedContainer> containers) {
        // A stop the events did not tell (the stream ends early in a shutdown, or was cut): seen by the list instead.
        long now = nanos.getAsLong();
        Map<String, String> states = new HashMap<>();
        for (ListedContainer listed : containers) {
            String id = listed.container().id();
            String state = listed.container().state();
            states.put(id, state);
            String before = lastStates.get(id);
            if (isDown(state) && before != null && !isDown(before) && !"created".equals(before)) {
                died.putIfAbsent(id, now);
            }
        }
        lastStates = states;
        Set<String> down = containers.stream().map(ListedContainer::container)
                .filter(c -> "exited".equals(c.state()) || "dead".equals(c.state()) || "running".equals(c.state()))
                .filter(c -> !"running".equals(c.state()) || stopping.containsKey(c.id()))
                .map(c -> c.id()).collect(Collectors.toSet());
        died.keySet().retainAll(down);
        stopping.keySet().retainAll(down);
    }

    /** A list failed: Docker does not answer. */
    synchronized void listFailed(String message) {
        if (unreachableSince == null) {
            unreachableSince = nanos.getAsLong();
        }
        if (!callsFailed) {
            callsFailed = true;
            long now = nanos.getAsLong();
            boolean warn = warnedAt == null || now - warnedAt >= WARN_AGAIN_AFTER.toNanos();
            String line = "observed: Docker at {} is not reachable ({}); keeping the last state and holding every "
                    + "container change until it answers again";
            if (warn) {
                warnedAt = now;
                log.warn(line, dockerHost, message);
            } else {
                log.info(line, dockerHost, message);
            }
            holding = true;
        }
    }

    /**
     * The event stream ended: no change until a list shows Docker still answers (or not), nor for {@code settle} after
     * a stream that was {@code established} ended (a dockerd going down closes it while it still stops containers).
     * A reconnect refused at once is not established: a cut stream holds nothing once lists work.
     */
    synchronized void streamEnded(boolean established) {
        if (unreachableSince == null) {
            unreachableSince = nanos.getAsLong();
        }
        if (established) {
            streamEnded = nanos.getAsLong();
        }
    }

    /**
     * How long container changes must wait from now; empty when Docker is steady. Logs once when holding begins for a
     * container going down and once when it ends.
     */
    synchronized Optional<Duration> hold() {
        long now = nanos.getAsLong();
        stopping.values().removeIf(until -> until - now <= 0);
        long until = now;
        String why = null;
        if (unreachableSince != null) {
            until = now + MIN_HOLD.toNanos() * 5;
            why = "Docker not reachable";
        } else {
            if (reachableAgain + settleNanos - now > 0) {
                until = reachableAgain + settleNanos;
                why = "Docker just came back";
            }
            if (streamEnded + settleNanos - until > 0) {
                until = streamEnded + settleNanos;
                why = "Docker's event stream ended";
            }
            for (long when : stopping.values()) {
                if (when - until > 0) {
                    until = when;
                    why = stopping.size() + " container(s) stopping";
                }
            }
            for (long when : died.values()) {
                if (when + settleNanos - until > 0) {
                    until = when + settleNanos;
                    why = died.size() + " container(s) just stopped";
                }
            }
        }
        if (why == null) {
            if (holding) {
                holding = false;
                log.info("observed: Docker steady, container changes resume");
            }
            return Optional.empty();
        }
        if (!holding) {
            holding = true;
            log.info("observed: {}: container changes wait up to {} ms (Docker restarts its own, or it is going down)",
                    why, Duration.ofNanos(until - now).toMillis());
        }
        Duration left = Duration.ofNanos(until - now);
        return Optional.of(left.compareTo(MIN_HOLD) < 0 ? MIN_HOLD : left);
    }

    private static boolean isDown(String state) {
        return "exited".equals(state) || "dead".equals(state);
    }

    private static long graceSeconds(Map<String, String> attributes) {
        String label = attributes.get(BerthLabels.STOP_GRACE_SECONDS);
        try {
            return label == null ? DEFAULT_STOP_SECONDS : Math.max(1, Long.parseLong(label)) + 1;
        } catch (NumberFormatException e) {
            return DEFAULT_STOP_SECONDS;
        }
    }
}
