package dev.berth.bench;

import static dev.berth.bench.BenchSupport.ms;
import static dev.berth.bench.BenchSupport.sleep;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What a container start costs dockerd on a user-defined bridge against the default bridge (issue 21's Swarm
 * comparison): Berth's containers join their stack's network, where Docker's embedded DNS serves the service names,
 * and dockerd sets that resolver up in each new container (a re-exec of itself programming iptables in the
 * container's namespace); Swarm's tasks without a network go on the default bridge, where it does not. No Berth
 * code runs: {@value #N} containers (the same image, command, init and restart policy as everywhere) are created,
 * then started {@value Figure#WORKERS} at a time through docker-java, to the last start event. Which side goes
 * first alternates; the first round of each is a warm-up.
 */
final class StartCostFigure extends Figure {
    static final int N = 10;

    StartCostFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() throws Exception {
        List<Double> user = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        for (int r = 0; r <= runs; r++) {
            // Who goes first alternates, so neither side always follows the other's teardown.
            boolean userFirst = r % 2 == 0;
            double first = round((userFirst ? "u" : "p") + r, userFirst);
            sleep(1000);
            double second = round((userFirst ? "p" : "u") + r, !userFirst);
            sleep(1000);
            double u = userFirst ? first : second;
            double p = userFirst ? second : first;
            if (r > 0) {
                user.add(u);
                plain.add(p);
            }
            System.out.printf("start-cost run %d: user-defined bridge %.0f ms, default bridge %.0f ms%n", r, u, p);
        }
        rows.add(new Row("start-cost: " + N + " container starts (" + WORKERS + " at a time) on a user-defined bridge"
                + " with a service alias vs on the default bridge, dockerd alone", new Stats(user), new Stats(plain),
                "default bridge", Double.NaN, " ms", "what each start costs dockerd for the embedded DNS Berth's names"
                + " need and Swarm's tasks without a network skip; first call to last start event"));
    }

    /** ms from the first start call to the Nth start event of containers made on a new user-defined bridge or not. */
    private double round(String tag, boolean userDefined) throws Exception {
        String prefix = runId + "-sc" + tag;
        String network = userDefined ? prefix + "_default" : "bridge";
        if (userDefined) {
            client.createNetworkCmd().withName(network).withDriver("bridge").withLabels(Map.of(LABEL, runId)).exec();
        }
        List<String> ids = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try (StartEvents started = new StartEvents(events, LABEL, runId)) {
            for (int i = 1; i <= N; i++) {
                ids.add(createContainer(prefix + "-" + i, network, userDefined));
            }
            long t0 = System.nanoTime();
            List<Future<?>> starts = new ArrayList<>();
            for (String id : ids) {
                starts.add(pool.submit(() -> client.startContainerCmd(id).exec()));
            }
            for (Future<?> f : starts) {
                f.get();
            }
            long last = t0;
            for (int i = 0; i < N; i++) {
                last = Math.max(last, started.await(e -> e.name() != null && e.name().startsWith(prefix + "-"),
                        Duration.ofSeconds(120)).nanos());
            }
            return ms(last - t0);
        } finally {
            pool.shutdownNow();
            // What is left here (a remove that failed) goes with the run's cleanup, by its label and name prefix.
            for (String id : ids) {
                BenchSupport.quietly(() -> client.removeContainerCmd(id).withForce(true).exec());
            }
            if (userDefined) {
                BenchSupport.quietly(() -> client.removeNetworkCmd(network).exec());
            }
        }
    }
}
