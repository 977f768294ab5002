package dev.berth.operator.images;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackAnnotations;
import dev.berth.operator.kit.Source;
import dev.berth.operator.kit.Topic;
import dev.berth.operator.store.StoredObject;
import dev.berth.reconcilers.docker.ImageRef;
import dev.berth.reconcilers.stack.StackHere;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, in one stack pass, which image each service this host runs should run, without waiting: a pull or build
 * in progress or failed holds the service (the caller keeps what runs of it) and the others go on. A tag is resolved
 * once per pin generation by the first host that needs it and recorded ({@link ImagePinStore#propose}); every host
 * then runs that digest, so a tag moved meanwhile gives no two hosts two images. Pins are read from the watch-fed
 * {@link ImagePins}, never from etcd in a pass; only a proposal writes. A pull or build that ends names its stack
 * on {@link #changes()}, so the stack is looked at again at once.
 */
public final class StackImages {
    private static final Logger log = LoggerFactory.getLogger(StackImages.class);
    /**
     * GitAnnotations.COMMIT, written by the GitOps syncer: named here because gitops depends on control, which depends
     * on this package (the package rules forbid the cycle).
     */
    static final String COMMIT = "berth.dev/commit";

    private final ImagePuller puller;
    private final ImageBuilds builds;
    private final ImagePins pins;
    private final ImagePinStore store;
    private final String host;
    private final Clock clock;
    private final Topic<String> changes = new Topic<>("image of stack");
    private final ImageEvents events;
    /** Per stack/service: the generation whose pin this operator is resolving and since when (see firstAsked). */
    private final Map<String, Asked> asked = new ConcurrentHashMap<>();
    /**
     * Pins this operator proposed (or lost to) that the informer may not show yet, by stack/service: the next pass
     * must not resolve the tag again meanwhile. Only read while their generation is the one wanted.
     */
    private final Map<String, ImagePin> learned = new ConcurrentHashMap<>();

    /**
     * What a stack's services run on this host this pass: a reference for every service whose image is here (or needs
     * none), and for each other service where its image stands (it is held this pass, see {@link StackHere#withHeld}).
     */
    public record Resolved(Map<String, String> ready, Map<String, ImageState> notReady) {
        public Resolved {
            ready = Map.copyOf(ready);
            notReady = java.util.Collections.unmodifiableMap(new TreeMap<>(notReady));
        }

        /** The first failed service, by name: what the status's Degraded condition says. */
        public Optional<Map.Entry<String, ImageState.Failed>> firstFailed() {
            return notReady.entrySet().stream().filter(e -> e.getValue() instanceof ImageState.Failed)
                    .map(e -> Map.entry(e.getKey(), (ImageState.Failed) e.getValue())).findFirst();
        }

        /** The first service being pulled or built, by name: what the status's Progressing condition says. */
        public Optional<Map.Entry<String, ImageState.InProgress>> firstInProgress() {
            return notReady.entrySet().stream().filter(e -> e.getValue() instanceof ImageState.InProgress)
                    .map(e -> Map.entry(e.getKey(), (ImageState.InProgress) e.getValue())).findFirst();
        }

        /** When the earliest failed image may be tried again. */
        public Optional<Instant> retryAt() {
            return notReady.values().stream().filter(s -> s instanceof ImageState.Failed)
                    .map(s -> ((ImageState.Failed) s).retryAt()).min(Instant::compareTo);
        }
    }

    public StackImages(ImagePuller puller, ImageBuilds builds, ImagePins pins, ImagePinStore store, String host,
                       Clock clock) {
        this(puller, builds, pins, store, host, clock, dev.berth.operator.events.EventRecorder.NONE);
    }

    /** @param events told when a pull or build a service waited for ended, and when its image failed */
    public StackImages(ImagePuller puller, ImageBuilds builds, ImagePins pins, ImagePinStore store, String host,
                       Clock clock, dev.berth.operator.events.EventRecorder events) {
        this.events = new ImageEvents(events);
        this.puller = puller;
        this.builds = builds;
        this.pins = pins;
        this.store = store;
        this.host = host;
        this.clock = clock;
        // A pin another host proposed (or pins deleted with their stack): the stack's hosts look again.
        pins.addHandler(changes::publish);
    }

    /** Before the pins are listed a pin of another host may only be not yet seen. */
    public boolean synced() {
        return pins.synced();
    }

    /** Names a stack whose pull or build ended, or whose pins changed: look at it again. */
    public Source<String> changes() {
        return changes;
    }

    /** For each service {@code here} runs replicas of (an undecided one keeps what runs and needs nothing). */
    public Resolved resolve(StoredObject stack, StackHere here) {
        // One moment for the whole pass: services sharing an image then accept one pull (see firstAsked).
        Instant passStart = clock.instant();
        Map<String, String> ready = new TreeMap<>();
        Map<String, ImageState> notReady = new TreeMap<>();
        for (ServiceSpec service : here.spec().services()) {
            if (here.of(service.name()).isEmpty()) {
                continue;
            }
            ImageState state = state(stack, service, passStart);
            seen(stack.name(), service, state);
            if (state instanceof ImageState.Ready r) {
                ready.put(service.name(), r.ref());
            } else {
                notReady.put(service.name(), state);
            }
        }
        try {
            events.keepOnly(stack.name(), here.spec().services().stream().map(ServiceSpec::name)
                    .collect(Collectors.toSet()));
        } catch (RuntimeException e) {
            log.debug("stack/{}: image events not pruned: {}", stack.name(), e.toString());
        }
        return new Resolved(ready, notReady);
    }

    /** The stack is gone or runs nothing here: its image events start over if it comes back. */
    public void gone(String stack) {
        try {
            events.forget(stack);
        } catch (RuntimeException e) {
            log.debug("stack/{}: image events not pruned: {}", stack, e.toString());
        }
    }

    /** An event is information: whatever goes wrong telling it must not fail the pass it describes. */
    private void seen(String stack, ServiceSpec service, ImageState state) {
        try {
            events.seen(stack, service.name(), service.image(), state);
        } catch (RuntimeException e) {
            log.debug("stack/{}: image event for service {} not recorded: {}", stack, service.name(), e.toString());
        }
    }

    private ImageState state(StoredObject stack, ServiceSpec service, Instant passStart) {
        String name = stack.name();
        Runnable onDone = () -> changes.publish(name);
        if (service.build() != null) {
            // Built whatever the pull policy says: the policy is about pulling a tag, and a build has none to pull.
            return built(stack, service, onDone);
        }
        if (ServiceSpec.PULL_NEVER.equals(service.imagePullPolicy())) {
            return new ImageState.Ready(service.image());
        }
        if (ImageRef.parse(service.image()).pinned()) {
            // As written, on every host: pulled if missing, never resolved again.
            return ready(puller.resolve(service.image(), service.imagePullPolicy(), onDone), service.image());
        }
        String generation = generation(stack, service);
        Optional<ImagePin> pin = pin(name, service.name(), generation);
        if (pin.isPresent()) {
            return ready(puller.resolve(pin.get().ref(), ServiceSpec.PULL_IF_NOT_PRESENT, onDone), pin.get().ref());
        }
        String policy = policyForNewPin(name, stack.raw().createRevision(), service);
        Instant since = ServiceSpec.PULL_ALWAYS.equals(policy) ? firstAsked(name, service.name(), generation, passStart)
                : null;
        ImageState resolved = puller.resolve(service.image(), policy, since, onDone);
        if (resolved instanceof ImageState.Ready r && r.ref().contains("@")) {
            return pinned(stack, service, service.image(), generation, r.ref(), onDone);
        }
        // Not ready yet, or an image with no repository digest (only built or imported here): runs by its tag.
        return resolved;
    }

    /**
     * A build with a registry is built once (by whichever host {@link ImageBuilds} lets build), pushed and pinned
     * like a pulled tag; without one each host builds its own and nothing is pinned.
     */
    private ImageState built(StoredObject stack, ServiceSpec service, Runnable onDone) {
        if (!namesRegistry(service.image())) {
            return builds.image(stack, service, onDone);
        }
        String generation = generation(stack, service);
        Optional<ImagePin> pin = pin(stack.name(), service.name(), generation);
        if (pin.isPresent()) {
            return ready(puller.resolve(pin.get().ref(), ServiceSpec.PULL_IF_NOT_PRESENT, onDone), pin.get().ref());
        }
        ImageState state = builds.image(stack, service, onDone);
        if (state instanceof ImageState.Ready r && r.ref().contains("@")) {
            return pinned(stack, service, service.image(), generation, r.ref(), onDone);
        }
        return state;
    }

    /**
     * A new pin for the image the old pin was made for, in the same stack (berth restart, another pull policy) asks
     * the registry, so a moved tag is picked up even where the host still has the old image under that tag; a
     * new image follows the service's pull policy.
     */
    private String policyForNewPin(String stack, long created, ServiceSpec service) {
        boolean sameImage = pins.of(stack, service.name()).map(p -> service.image().equals(p.image())
                && p.stackCreated() == created).orElse(false);
        return sameImage ? ServiceSpec.PULL_ALWAYS : service.imagePullPolicy();
    }

    /**
     * When this operator first needed the registry's answer for this generation: only a pull started since then
     * answers it (an earlier pull of the same tag, e.g. the one that made the old pin, does not).
     */
    private Instant firstAsked(String stack, String service, String generation, Instant passStart) {
        return asked.compute(stack + "/" + service, (k, before) -> before != null && before.generation().equals(generation)
                ? before : new Asked(generation, passStart)).at();
    }

    private record Asked(String generation, Instant at) {
    }

    /** Records {@code ref} unless another host was first; runs whichever pin holds. */
    private ImageState pinned(StoredObject object, ServiceSpec service, String image, String generation, String ref,
                              Runnable onDone) {
        String stack = object.name();
        ImagePin held = store.propose(stack, service.name(), new ImagePin(image, generation, ref, host,
                clock.instant().toString(), object.raw().createRevision()));
        learned.put(stack + "/" + service.name(), held);
        if (held.ref().equals(ref)) {
            log.info("stack/{}: service {} pinned to {} (generation {})", stack, service.name(), ref, generation);
            return new ImageState.Ready(ref);
        }
        log.info("stack/{}: service {} runs {} as pinned by host {} (resolved {} here)", stack, service.name(),
                held.ref(), held.host(), ref);
        return ready(puller.resolve(held.ref(), ServiceSpec.PULL_IF_NOT_PRESENT, onDone), held.ref());
    }

    /** The pin of this generation, as the informer shows it or as this operator proposed it a moment ago. */
    private Optional<ImagePin> pin(String stack, String service, String generation) {
        String key = stack + "/" + service;
        Optional<ImagePin> seen = pins.of(stack, service).filter(p -> p.generation().equals(generation));
        if (seen.isPresent()) {
            learned.remove(key);
            return seen;
        }
        return Optional.ofNullable(learned.get(key)).filter(p -> p.generation().equals(generation));
    }

    /** A ready image runs as {@code ref} (the pin or the digest as written, whatever name the puller found). */
    private static ImageState ready(ImageState state, String ref) {
        return state instanceof ImageState.Ready ? new ImageState.Ready(ref) : state;
    }

    /** Whether the image's first component names a registry ({@code reg:5000/app}), not Docker Hub implied. */
    static boolean namesRegistry(String image) {
        if (image == null || image.isBlank()) {
            return false;
        }
        String registry = ImageRef.parse(image).registry();
        return image.startsWith(registry + "/");
    }

    /**
     * What decides a pin: a new generation picks a new digest. The image or build as written, the pull policy, the
     * stack's create revision (a stack deleted and created again starts afresh), {@code berth restart}'s annotation,
     * and for a build the commit it was synced from. Replicas, env and the rest are not in it: scaling keeps the pin.
     */
    public static String generation(StoredObject stack, ServiceSpec service) {
        Map<String, String> annotations = stack.resource()
                .map(r -> r.metadata().annotations()).orElse(null);
        if (annotations == null) {
            annotations = Map.of();
        }
        StringBuilder text = new StringBuilder();
        text.append("image=").append(service.image()).append('\n')
                .append("build=").append(buildText(service.build())).append('\n')
                .append("policy=").append(service.imagePullPolicy()).append('\n')
                .append("created=").append(stack.raw().createRevision()).append('\n')
                .append("restarted=").append(annotations.getOrDefault(StackAnnotations.RESTARTED_AT, "")).append('\n');
        if (service.build() != null) {
            text.append("commit=").append(annotations.getOrDefault(COMMIT, "")).append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The build's fields in a fixed order (not a record's toString, whose form is not promised across versions). */
    private static String buildText(dev.berth.crds.stack.BuildSpec build) {
        if (build == null) {
            return "";
        }
        StringBuilder text = new StringBuilder("context=").append(build.context()).append(";dockerfile=")
                .append(build.dockerfile()).append(";target=").append(build.target() == null ? "" : build.target());
        build.args().forEach((k, v) -> text.append(";arg:").append(k).append('=').append(v));
        return text.toString();
    }
}
