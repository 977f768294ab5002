package dev.berth.reconcilers.stack;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one host runs of a stack: the spec, and for each service the replica numbers this host runs (numbers are
 * cluster-wide: replica 2 is {@code <stack>-<service>-2} wherever it runs). A service in {@code undecided} has no
 * decision yet (the scheduler has not assigned it): the host keeps whatever it runs of it and creates nothing.
 * {@code names}: where its containers on Berth Networks send DNS queries on this host (part of their plans).
 * {@code files}: per service, the Secret and Config files (and Secret environment values) prepared on this host.
 * A service in {@code held} has a decision but cannot get its files here this pass: what runs of its replicas here
 * stays as it is (nothing created or replaced), and replicas no longer here (scaled down, moved) go as usual; the
 * same holds while a service's image is being pulled or built, or cannot be.
 * {@code images}: per service, the image reference its containers run on this host (the pinned digest, or the image
 * built for it) when it differs from the spec's {@code image}.
 */
public record StackHere(StackSpec spec, Map<String, SortedSet<Integer>> replicas, Set<String> undecided,
                        NameServers names, Map<String, ServiceFiles> files, Set<String> held,
                        Map<String, String> images) {
    public StackHere {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(names, "names");
        files = files == null ? Map.of() : Map.copyOf(files);
        held = held == null ? Set.of() : Set.copyOf(held);
        images = images == null ? Map.of() : Map.copyOf(images);
        Map<String, SortedSet<Integer>> copy = new TreeMap<>();
        replicas.forEach((service, numbers) -> copy.put(service, java.util.Collections.unmodifiableSortedSet(new TreeSet<>(numbers))));
        replicas = java.util.Collections.unmodifiableMap(copy);
        undecided = Set.copyOf(undecided);
    }

    /** Every service runs its image as written. */
    public StackHere(StackSpec spec, Map<String, SortedSet<Integer>> replicas, Set<String> undecided,
                     NameServers names, Map<String, ServiceFiles> files, Set<String> held) {
        this(spec, replicas, undecided, names, files, held, Map.of());
    }

    /** No service held for its files. */
    public StackHere(StackSpec spec, Map<String, SortedSet<Integer>> replicas, Set<String> undecided,
                     NameServers names, Map<String, ServiceFiles> files) {
        this(spec, replicas, undecided, names, files, Set.of());
    }

    /** Without Secret or Config files. */
    public StackHere(StackSpec spec, Map<String, SortedSet<Integer>> replicas, Set<String> undecided,
                     NameServers names) {
        this(spec, replicas, undecided, names, Map.of());
    }

    /** Names not answered on this host: plans as before names across hosts. */
    public StackHere(StackSpec spec, Map<String, SortedSet<Integer>> replicas, Set<String> undecided) {
        this(spec, replicas, undecided, NameServers.off());
    }

    /** Every replica of every service on this host (global mode, and how single-host tests see a stack). */
    public static StackHere all(StackSpec spec) {
        Map<String, SortedSet<Integer>> replicas = new TreeMap<>();
        for (ServiceSpec s : spec.services()) {
            SortedSet<Integer> numbers = new TreeSet<>();
            for (int r = 1; r <= s.replicas(); r++) {
                numbers.add(r);
            }
            replicas.put(s.name(), numbers);
        }
        return new StackHere(spec, replicas, Set.of());
    }

    /** Nothing of the stack on this host (every replica assigned elsewhere): what it has here is retired. */
    public static StackHere nothing(StackSpec spec) {
        Map<String, SortedSet<Integer>> replicas = new TreeMap<>();
        spec.services().forEach(s -> replicas.put(s.name(), new TreeSet<>()));
        return new StackHere(spec, replicas, Set.of());
    }

    /** The replica numbers of {@code service} this host runs; empty when it runs none (or the service is undecided). */
    public SortedSet<Integer> of(String service) {
        return replicas.getOrDefault(service, java.util.Collections.emptySortedSet());
    }

    /** Whether this host runs or keeps anything of the stack: when not, everything it has of it goes. */
    public boolean runsAnything() {
        return !undecided.isEmpty() || replicas.values().stream().anyMatch(n -> !n.isEmpty());
    }

    /** With the spec replaced (e.g. route labels merged in): the same replicas. */
    public StackHere withSpec(StackSpec next) {
        return new StackHere(next, replicas, undecided, names, files, held, images);
    }

    /** With where containers on Berth Networks send DNS queries on this host: the same replicas. */
    public StackHere withNames(NameServers next) {
        return new StackHere(spec, replicas, undecided, next, files, held, images);
    }

    /** With the Secret and Config files prepared on this host, per service: the same replicas. */
    public StackHere withFiles(Map<String, ServiceFiles> next) {
        return new StackHere(spec, replicas, undecided, names, next, held, images);
    }

    /**
     * With {@code services} held for this pass (their Secrets or Configs cannot be served here yet): the host keeps
     * what runs of their replicas here and creates or replaces nothing of them; replicas of them that are no longer
     * here go as usual (removing needs no files); the other services converge.
     */
    public StackHere withHeld(Set<String> services) {
        if (services.isEmpty()) {
            return this;
        }
        Set<String> more = new java.util.HashSet<>(held);
        more.addAll(services);
        return new StackHere(spec, replicas, undecided, names, files, more, images);
    }

    /** With the image reference each of {@code next}'s services runs here (pinned digests, built images). */
    public StackHere withImages(Map<String, String> next) {
        return new StackHere(spec, replicas, undecided, names, files, held, next);
    }

    /** The image {@code service}'s containers run here: its resolved reference, else the spec's image as written. */
    public String imageOf(ServiceSpec service) {
        // A service with only a build has no image until it is built; it is held until then.
        return images.getOrDefault(service.name(), service.image() == null ? "" : service.image());
    }

    /** The files prepared for {@code service}, none when it uses no Secret or Config. */
    public ServiceFiles filesOf(String service) {
        return files.getOrDefault(service, ServiceFiles.NONE);
    }
}
