package dev.berth.operator.cache;

import dev.berth.reconcilers.docker.ContainerRun;
import dev.berth.reconcilers.docker.Docker;
import dev.berth.reconcilers.docker.DockerEvent;
import dev.berth.reconcilers.docker.ListedContainer;
import dev.berth.reconcilers.docker.ObservedContainer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills each listed container's {@link ContainerRun} (restart count, start time, last exit code), which Docker's list
 * call does not carry, for {@code berth ps}. An inspect costs a call, so a container is inspected only when there is
 * news of it: the first time it is listed, when its listed state differs from the one it had when last inspected, or
 * after a start/die/restart event for it (a restart by Docker's restart policy can happen between two lists and leave
 * the state as it was). A list with no news makes no inspect. The {@code die} event's exit code is kept, because an
 * inspect after the restart shows none (Docker clears it on start). At most {@link #MAX_INSPECTS} inspects per list,
 * the longest-waiting first: a container whose inspect failed waits again from then, behind the others, so twenty
 * containers that always fail (crash loops, a broken daemon entry) never starve the rest. A container listed as
 * created, or whose create event was read, has never run and is not inspected, and its first start event says all an
 * inspect would (no restarts, started then), so a new replica costs no inspect at all. Used on the cache's thread
 * only.
 */
final class ContainerRuns {
    private static final Logger log = LoggerFactory.getLogger(ContainerRuns.class);
    private static final Set<String> NEWS = Set.of("start", "die", "restart");
    private static final String CREATED = "created";
    /**
     * Docker's states of a container on its way out. A container known never to have run that is listed so was
     * removed (or died) without a start: no start event will come, so it is not awaited (a list 100 ms later for it,
     * in every burst of removals of created containers) and not inspected (it is being removed).
     */
    private static final Set<String> LEAVING = Set.of("removing", "dead");
    private static final ContainerRun NEVER_RAN = new ContainerRun(0, null, null);

    /** The listed state when the container was last inspected, and what that inspect said. */
    private record Known(String state, ContainerRun run) {
    }

    /**
     * Inspects per list at most: at start and after an event gap every container is news, and inspecting hundreds
     * serially on the cache's one thread would hold back every list and event behind them. The rest stay stale
     * and are inspected by the lists that follow (see {@link #behind}).
     */
    static final int MAX_INSPECTS = 20;

    private final Docker docker;
    private final int maxInspects;
    private final Map<String, Known> known = new HashMap<>();
    /**
     * Containers with news since their last inspect, with when they started waiting for one (a count of the times a
     * container became stale, so order is exact): the smallest are inspected first.
     */
    private final Map<String, Long> stale = new HashMap<>();
    private long staleCount;
    /** Containers listed as created, then running, whose start event one list has already waited for. */
    private final Set<String> startAwaited = new HashSet<>();
    /** The exit code of each container's last {@code die} event. */
    private final Map<String, Integer> exits = new HashMap<>();

    /** Whether the last list left containers with news uninspected (over the cap): list again soon. */
    private boolean behind;
    /** Whether the last list's inspects said anything new (at least one succeeded). */
    private boolean progress;

    ContainerRuns(Docker docker) {
        this(docker, MAX_INSPECTS);
    }

    ContainerRuns(Docker docker, int maxInspects) {
        this.docker = docker;
        this.maxInspects = maxInspects;
    }

    /** A managed container's or network's event. */
    void event(DockerEvent event) {
        if (!"container".equals(event.type())) {
            return;
        }
        if ("create".equals(event.action()) && !known.containsKey(event.id())) {
            // Usually read before any list shows the new container: its start event then says the rest.
            known.put(event.id(), new Known(CREATED, NEVER_RAN));
            return;
        }
        if (!NEWS.contains(event.action())) {
            return;
        }
        Known k = known.get(event.id());
        if ("start".equals(event.action()) && k != null && k.state().equals(CREATED) && !stale.containsKey(event.id())
                && event.timeNano() > 0) {
            // The first start of a container known never to have run: its run is this event's, no inspect needed
            // (during a rollout, an inspect would also wait on the container's lock while Docker starts others).
            known.put(event.id(), new Known("running", new ContainerRun(0,
                    java.time.Instant.ofEpochSecond(0, event.timeNano()).toString(), null)));
            startAwaited.remove(event.id());
            return;
        }
        startAwaited.remove(event.id());
        markStale(event.id());
        if ("die".equals(event.action())) {
            exitCode(event.attributes().get("exitCode")).ifPresent(code -> exits.put(event.id(), code));
        }
    }

    /** Events may have been missed (the stream reconnects): every container is inspected at the next list. */
    void gap() {
        known.keySet().forEach(this::markStale);
    }

    /** Stale from now, unless it already waits (then it keeps its place). */
    private void markStale(String id) {
        if (!stale.containsKey(id)) {
            stale.put(id, staleCount++);
        }
    }

    /** The list with every container's run filled in, inspecting only those with news (see the class comment). */
    List<ListedContainer> fill(List<ListedContainer> listed) {
        Set<String> ids = new HashSet<>();
        List<ObservedContainer> news = new ArrayList<>();
        boolean awaiting = false;
        for (ListedContainer l : listed) {
            ObservedContainer c = l.container();
            ids.add(c.id());
            Known k = known.get(c.id());
            if (CREATED.equals(c.state())) {
                // Never started (a container cannot go back to created): nothing to inspect for.
                known.put(c.id(), new Known(CREATED, NEVER_RAN));
                stale.remove(c.id());
            } else if (k != null && k.state().equals(CREATED) && !stale.containsKey(c.id())
                    && LEAVING.contains(String.valueOf(c.state()))) {
                continue;
            } else if (k != null && k.state().equals(CREATED) && !stale.containsKey(c.id()) && startAwaited.add(c.id())) {
                // Started since it was listed as created, its start event not read yet: that event says it all. Once
                // only: if it has still not come by the next list (asked for soon, as behind), the inspect goes ahead.
                awaiting = true;
                continue;
            } else if (k == null || stale.containsKey(c.id()) || !k.state().equals(String.valueOf(c.state()))) {
                markStale(c.id());
                news.add(c);
            }
        }
        known.keySet().retainAll(ids);
        startAwaited.retainAll(ids);
        stale.keySet().retainAll(ids);
        exits.keySet().retainAll(ids);
        // Over the cap, the rest are shown with what was known (nothing yet, for a new one) until a later list.
        news.sort(Comparator.comparingLong(c -> stale.get(c.id())));
        progress = false;
        for (ObservedContainer c : news.subList(0, Math.min(maxInspects, news.size()))) {
            inspect(c, known.get(c.id()));
        }
        behind = news.size() > maxInspects || awaiting;
        List<ListedContainer> filled = new ArrayList<>(listed.size());
        for (ListedContainer l : listed) {
            ObservedContainer c = l.container();
            Known k = known.get(c.id());
            filled.add(new ListedContainer(c.withRun(k == null ? null : k.run()), l.addresses(), l.macs(), l.ports(),
                    l.mounts()));
        }
        return filled;
    }

    /** The last list left containers with news uninspected because of the cap: the next list should come soon. */
    boolean behind() {
        return behind;
    }

    /** Whether the last list's inspects learnt something (at least one succeeded), or only failed. */
    boolean progress() {
        return progress;
    }

    /** Whether any listed container still waits for an inspect (news not yet inspected, or a failed inspect). */
    boolean anyStale() {
        return !stale.isEmpty();
    }

    /**
     * Stores the new knowledge; when Docker failed, leaves the old one and puts the container last in line for the
     * next inspect (still stale).
     */
    private void inspect(ObservedContainer c, Known before) {
        Optional<ContainerRun> run;
        try {
            run = docker.inspectRun(c.id());
        } catch (RuntimeException e) {
            log.debug("observed {}: inspect failed, restarts and exit code left as they were: {}", c.name(), e.getMessage());
            stale.remove(c.id());
            markStale(c.id());
            return;
        }
        stale.remove(c.id());
        progress = true;
        if (run.isEmpty()) {
            // Gone since the list: the next list leaves it out.
            return;
        }
        ContainerRun r = run.get();
        if (r.exitCode() == null) {
            Integer last = exits.containsKey(c.id()) ? exits.get(c.id())
                    : before == null || before.run() == null ? null : before.run().exitCode();
            r = r.withExitCode(last);
        }
        Known now = new Known(String.valueOf(c.state()), r);
        known.put(c.id(), now);
    }

    private static Optional<Integer> exitCode(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
