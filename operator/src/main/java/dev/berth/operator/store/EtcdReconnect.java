package dev.berth.operator.store;

import io.etcd.jetcd.Client;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long a long-lived jetcd client takes to reach etcd again after an outage. gRPC dials a lost member again
 * with its own exponential backoff (1 s growing by 1.6 up to 120 s), which jetcd does not let anyone configure: after a
 * 30 s outage the next dial came 5 to 17 s after etcd was back, after a few minutes up to two minutes later, and all
 * that time every call failed at once (waitForReady is off) although etcd answered. Every {@link #PERIOD} this resets
 * that backoff ({@link ManagedChannel#resetConnectBackoff}, a no-op for connected members), so a member that is back is
 * dialled within one period: the operator reaches etcd again at most {@code PERIOD} plus one connect after its return.
 *
 * <p>jetcd keeps its channel to itself; it is read by reflection. If a jetcd upgrade moves it, the operator logs one
 * warning and works on with gRPC's backoff (EtcdReconnectTest fails on such an upgrade).
 */
public final class EtcdReconnect implements AutoCloseable {
    /** The longest time between a member's return and the client's next dial to it. */
    public static final Duration PERIOD = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(EtcdReconnect.class);

    private final Optional<ManagedChannel> channel;
    private final Duration period;
    private final Counter redials;
    private final List<Runnable> returnListeners = new CopyOnWriteArrayList<>();
    /** The channel's state at the last check; only the timer thread writes it. */
    private volatile boolean wasReady = true;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "etcd-reconnect");
        t.setDaemon(true);
        return t;
    });

    public EtcdReconnect(Client client, Duration period, MeterRegistry registry) {
        this.channel = channelOf(client);
        this.period = period;
        this.redials = Counter.builder("berth.etcd.reconnect.backoff.resets")
                .description("Times gRPC's reconnect backoff to etcd was cut short while the connection was down")
                .register(registry);
        if (channel.isEmpty()) {
            log.warn("etcd: cannot reach jetcd's gRPC channel (jetcd changed?); reconnecting after an etcd outage follows"
                    + " gRPC's backoff, up to 120 s");
        }
    }

    /** jetcd's channel: {@code ClientImpl.connectionManager.getChannel()}, or empty when this jetcd has none there. */
    static Optional<ManagedChannel> channelOf(Client client) {
        try {
            Field managerField = client.getClass().getDeclaredField("connectionManager");
            managerField.setAccessible(true);
            Object manager = managerField.get(client);
            Method getChannel = manager.getClass().getDeclaredMethod("getChannel");
            getChannel.setAccessible(true);
            return Optional.of((ManagedChannel) getChannel.invoke(manager));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs the listener (on the timer's thread) when the channel is ready again after it was not: the informers
     * re-list then, not after their own backoff (which grew during the outage) or the next resync tick.
     */
    public void whenBack(Runnable listener) {
        returnListeners.add(listener);
    }

    public void start() {
        channel.ifPresent(c -> timer.scheduleWithFixedDelay(() -> redial(c), period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    private void redial(ManagedChannel c) {
        try {
            // Also when the channel as a whole is READY: a member that was killed and is back rejoins within a period.
            boolean ready = c.getState(false) == ConnectivityState.READY;
            if (!ready) {
                redials.increment();
            }
            c.resetConnectBackoff();
            if (ready && !wasReady) {
                log.info("etcd: connection back, re-listing");
                returnListeners.forEach(Runnable::run);
            }
            wasReady = ready;
        } catch (RuntimeException e) {
            // a timer task that throws is never run again
            log.warn("etcd: resetting the reconnect backoff failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
