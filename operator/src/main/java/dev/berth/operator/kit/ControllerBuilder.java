package dev.berth.operator.kit;

import dev.berth.operator.queue.RateLimit;
import dev.berth.operator.queue.RetryPolicy;
import dev.berth.operator.queue.WorkQueue;
import dev.berth.reconcilers.Deadline;
import java.time.Duration;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A controller's declaration, shaped like controller-runtime's builder: the kind it is {@link #forObjects for}, the
 * objects it {@link #owns}, what else it {@link #watches} and how events map to its keys, its reconciler, its
 * workers, and whether it runs only on the elected leader. Nothing starts before {@link Controller#start}.
 */
public final class ControllerBuilder {
    private final String name;
    private final List<Consumer<Controller>> wiring = new ArrayList<>();
    private final List<Runnable> onResync = new ArrayList<>();
    private Supplier<Collection<String>> allKeys = Set::of;
    private Reconciler reconciler;
    private int workers = 1;
    private Duration deadline = Deadline.DEFAULT;
    private Optional<Controller.Election> election = Optional.empty();

    private ControllerBuilder(String name) {
        this.name = name;
    }

    /** @param name the controller's name: its work queue's and metrics' {@code controller} / {@code name} label */
    public static ControllerBuilder named(String name) {
        return new ControllerBuilder(name);
    }

    /** The primary kind: a change of one object enqueues its own name at once, even while it backs off. */
    public ControllerBuilder forObjects(Source<String> names) {
        wiring.add(c -> names.addHandler(c::enqueue));
        return this;
    }

    /**
     * Objects this controller made, by their owner key ({@code berth.dev/owner}): a change of one enqueues its
     * owner's name when the owner is of {@code kind}, unless the owner backs off.
     */
    public ControllerBuilder owns(Source<dev.berth.crds.ObjectKey> owners, String kind) {
        wiring.add(c -> owners.addHandler(owner -> owner.nameIf(kind).ifPresent(c::enqueueUnlessBackingOff)));
        return this;
    }

    /** Anything else: each event maps to the keys to look at (unless they back off). */
    public <E> ControllerBuilder watches(Source<E> source, Function<E, Collection<String>> toKeys) {
        wiring.add(c -> source.addHandler(event -> toKeys.apply(event).forEach(c::enqueueUnlessBackingOff)));
        return this;
    }

    /** Like {@link #watches}, for events that must be looked at at once (a changed desired object, a webhook). */
    public <E> ControllerBuilder watchesNow(Source<E> source, Function<E, Collection<String>> toKeys) {
        wiring.add(c -> source.addHandler(event -> toKeys.apply(event).forEach(c::enqueue)));
        return this;
    }

    /** Every key there may be work for: enqueued when the workers start and on every resync. */
    public ControllerBuilder allKeys(Supplier<Collection<String>> keys) {
        this.allKeys = keys;
        return this;
    }

    /** Runs before the keys are enqueued on a resync (e.g. to force a full read-back of kernel state). */
    public ControllerBuilder onResync(Runnable hook) {
        onResync.add(hook);
        return this;
    }

    public ControllerBuilder reconciler(Reconciler reconciler) {
        this.reconciler = reconciler;
        return this;
    }

    public ControllerBuilder workers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException(name + ": workers must be at least 1, got " + workers);
        }
        this.workers = workers;
        return this;
    }

    /** How long one reconcile may take before it should give its worker back (default {@link Deadline#DEFAULT}). */
    public ControllerBuilder deadline(Duration deadline) {
        this.deadline = deadline;
        return this;
    }

    /** Runs only while this operator leads {@code election}: workers start on winning and stop on losing. */
    public ControllerBuilder leaderOnly(Controller.Election election) {
        this.election = Optional.of(election);
        return this;
    }

    /** Registers the handlers on the sources; the controller stays idle until started. */
    public Controller build(RetryPolicy retry, MeterRegistry registry) {
        if (reconciler == null) {
            throw new IllegalStateException(name + ": no reconciler declared");
        }
        Controller controller = new Controller(name, new WorkQueue(name, retry, RateLimit.defaults(), registry),
                reconciler, workers, allKeys, onResync, election, deadline, registry);
        wiring.forEach(w -> w.accept(controller));
        return controller;
    }
}
