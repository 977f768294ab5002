package dev.berth.bench;

import static dev.berth.bench.BenchSupport.fmt;

import dev.berth.crds.stack.Placement;
import dev.berth.reconcilers.schedule.Assignment;
import dev.berth.reconcilers.schedule.Candidate;
import dev.berth.reconcilers.schedule.Capacity;
import dev.berth.reconcilers.schedule.Reservation;
import dev.berth.reconcilers.schedule.Schedule;
import dev.berth.reconcilers.schedule.Scheduler;
import dev.berth.reconcilers.schedule.ServiceDemand;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pure planner alone (issue 14): 50 simulated hosts (three zones), 1,000 one-service stacks of 3 replicas with
 * a mix of spread, maxPerHost, a host selector and reservations. Three ways, each as replicas per second:
 * <ul>
 * <li><b>one by one</b>, as the scheduler controller plans: one {@link Scheduler#plan} per stack, each host's
 *     capacity passed minus what earlier stacks reserved there (that bookkeeping is inside the timing);</li>
 * <li><b>all at once</b>: one call with 1,000 qualified service keys ({@code s17/web});</li>
 * <li><b>re-plan</b>: one by one again with every assignment already in place (a resync: everything is kept).</li>
 * </ul>
 * Goal: ≥ 10,000 replicas/s placed. Rates are per second of the planning thread's CPU time (what the planner
 * costs, whatever else the machine runs; GC threads not counted), with the wall-clock rates in the notes. No Docker
 * or etcd: it also runs alone ({@link #main}).
 */
final class PlannerFigure extends Figure {
    static final int HOSTS = 50;
    static final int STACKS = 1000;
    static final int REPLICAS = 3;
    static final double GOAL = 10_000;
    private static final long MIB = 1024L * 1024;
    /** Rounds before measuring: until C2 has compiled the planner, it is several times slower. */
    private static final int WARMUP = 20;

    PlannerFigure(BenchRun bench) {
        super(bench);
    }

    @Override
    void run() {
        Result r = measure(Math.max(3, runs));
        String goal = "goal ≥ " + fmt(GOAL) + "/s: ";
        rows.add(new Row("planner: replicas placed per CPU-second, 1,000 stacks one by one, 50 hosts",
                new Stats(r.oneByOne.cpu), null, "", Double.NaN, "/s", goal + verdict(r.oneByOne.cpu) + "; wall clock "
                + new Stats(r.oneByOne.wall).show("/s") + "; " + r.note));
        rows.add(new Row("planner: replicas placed per CPU-second, 1,000 stacks in one call",
                new Stats(r.allAtOnce.cpu), null, "", Double.NaN, "/s", goal + verdict(r.allAtOnce.cpu) + "; wall clock "
                + new Stats(r.allAtOnce.wall).show("/s")));
        rows.add(new Row("planner: replicas kept per CPU-second, re-plan of the 1,000 placed stacks one by one",
                new Stats(r.replan.cpu), null, "", Double.NaN, "/s", "no goal; wall clock "
                + new Stats(r.replan.wall).show("/s")));
    }

    /**
     * Prints the figure without the bench runner, Docker or etcd:
     * {@code java -cp "bench/target/berth-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.berth.bench.PlannerFigure [runs]}.
     */
    public static void main(String[] args) {
        Result r = measure(args.length > 0 ? Integer.parseInt(args[0]) : 5);
        System.out.println("planner, " + HOSTS + " hosts, " + STACKS + " one-service stacks of " + REPLICAS
                + " replicas (" + r.note + "); per CPU-second of the planning thread, then wall clock");
        print("one by one: ", r.oneByOne, " replicas placed/s", true);
        print("all at once:", r.allAtOnce, " replicas placed/s", true);
        print("re-plan:    ", r.replan, " replicas kept/s", false);
    }

    private static void print(String what, Rates rates, String unit, boolean goal) {
        System.out.println("  " + what + " " + new Stats(rates.cpu).show(unit) + (goal ? " " + verdict(rates.cpu) : "")
                + "; wall " + new Stats(rates.wall).show(unit));
    }

    private static String verdict(List<Double> rates) {
        return !rates.isEmpty() && new Stats(rates).median() >= GOAL ? "met" : "MISSED";
    }

    record Result(Rates oneByOne, Rates allAtOnce, Rates replan, String note) {
    }

    /** Replicas per second of the planning thread's CPU time, and per second of wall clock, one of each per round. */
    record Rates(List<Double> cpu, List<Double> wall) {
        Rates() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void add(long replicas, long cpuNanos, long wallNanos) {
            cpu.add(replicas / (cpuNanos / 1e9));
            wall.add(replicas / (wallNanos / 1e9));
        }
    }

    /** Wall and thread CPU time at one instant. */
    private record Clock(long wall, long cpu) {
        static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        static Clock now() {
            return new Clock(System.nanoTime(), THREADS.getCurrentThreadCpuTime());
        }
    }

    static Result measure(int runs) {
        List<Candidate> hosts = hosts();
        List<ServiceDemand> stacks = new ArrayList<>();
        for (int i = 0; i < STACKS; i++) {
            stacks.add(demand(i, "web"));
        }
        List<ServiceDemand> qualified = new ArrayList<>();
        for (int i = 0; i < STACKS; i++) {
            qualified.add(demand(i, "s" + i + "/web"));
        }
        Rates oneByOne = new Rates();
        Rates allAtOnce = new Rates();
        Rates replan = new Rates();
        long placed = 0;
        long unschedulable = 0;
        for (int round = 0; round < WARMUP + runs; round++) {
            Clock t0 = Clock.now();
            List<Schedule> schedules = planOneByOne(hosts, stacks, null);
            Clock t1 = Clock.now();
            Schedule all = Scheduler.plan(qualified, hosts, List.of());
            Clock t2 = Clock.now();
            List<Schedule> again = planOneByOne(hosts, stacks, schedules);
            Clock t3 = Clock.now();

            placed = schedules.stream().mapToLong(s -> s.assignments().size()).sum();
            unschedulable = schedules.stream().mapToLong(s -> s.unschedulable().size()).sum();
            if (!again.equals(schedules) || all.assignments().size() != placed) {
                throw new AssertionError("planner bench: a re-plan moved replicas or one call placed "
                        + all.assignments().size() + " against " + placed + " one by one");
            }
            if (round >= WARMUP) {
                oneByOne.add(placed, t1.cpu - t0.cpu, t1.wall - t0.wall);
                allAtOnce.add(placed, t2.cpu - t1.cpu, t2.wall - t1.wall);
                replan.add(placed, t3.cpu - t2.cpu, t3.wall - t2.wall);
            }
        }
        String note = placed + " placed, " + unschedulable + " unschedulable per round; " + WARMUP
                + " warm-up rounds (JIT)";
        return new Result(oneByOne, allAtOnce, replan, note);
    }

    /**
     * One plan per stack, each with the hosts' capacity minus what the stacks planned before it reserved.
     *
     * @param current the previous round's schedules (a re-plan), or null (placing from scratch)
     */
    private static List<Schedule> planOneByOne(List<Candidate> hosts, List<ServiceDemand> stacks,
                                               List<Schedule> current) {
        Map<String, long[]> reserved = new HashMap<>();
        hosts.forEach(h -> reserved.put(h.name(), new long[2]));
        List<Schedule> out = new ArrayList<>(stacks.size());
        for (int i = 0; i < stacks.size(); i++) {
            List<Candidate> left = new ArrayList<>(hosts.size());
            for (Candidate h : hosts) {
                long[] used = reserved.get(h.name());
                left.add(new Candidate(h.name(), h.labels(), false, new Capacity(
                        Math.max(0, h.capacity().cpuMillis() - used[0]),
                        Math.max(0, h.capacity().memoryBytes() - used[1]))));
            }
            ServiceDemand demand = stacks.get(i);
            Schedule s = Scheduler.plan(List.of(demand), left,
                    current == null ? List.of() : current.get(i).assignments());
            Reservation r = demand.reservation();
            if (r != null) {
                for (Assignment a : s.assignments()) {
                    long[] used = reserved.get(a.host());
                    used[0] += r.cpuMillis();
                    used[1] += r.memoryBytes();
                }
            }
            out.add(s);
        }
        return out;
    }

    private static List<Candidate> hosts() {
        List<Candidate> hosts = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            hosts.add(new Candidate(String.format("host%02d", i), Map.of("zone", "z" + (i % 3)), false,
                    new Capacity(16_000, 64 * 1024 * MIB)));
        }
        return hosts;
    }

    /** A mix: every 4th spread by zone, every 5th at most one per host, every 7th on zone z1, every 2nd reserves. */
    private static ServiceDemand demand(int i, String key) {
        ServiceDemand d = ServiceDemand.of(key, REPLICAS);
        if (i % 4 == 0) {
            d = d.withSpread("zone");
        }
        if (i % 5 == 0) {
            d = d.withMaxPerHost(1);
        }
        if (i % 7 == 0) {
            d = d.withPlacement(new Placement(null, Map.of("zone", "z1")));
        }
        if (i % 2 == 0) {
            d = d.withReservation(new Reservation(100, 128 * MIB));
        }
        return d;
    }
}
