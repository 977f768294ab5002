package dev.berth.operator.it;

import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestOperator;
import java.io.IOException;
import java.util.List;

/**
 * The three-host namespace bed ({@link OverlayTestBed}) as the reliability suite, in another package, uses it: hosts
 * by index, each with its operator run as a process inside its namespace (so it can be SIGKILLed, and so cutting the
 * host's underlay link also cuts it from etcd, whose relay is on the underlay). Only delegates; the bed stays the one
 * place that makes and removes namespaces, links and dockerds.
 */
public final class ReliabilityBed implements AutoCloseable {
    private final OverlayTestBed bed;

    public ReliabilityBed(int hosts) throws Exception {
        bed = new OverlayTestBed(hosts);
    }

    /** The bed's run id: unique names (hosts, Networks, stacks) start with it. */
    public String id() {
        return bed.id;
    }

    /** A VNI and a /16 of this run, so beds of parallel runs do not meet. */
    public int vni(int base) {
        return base + Integer.parseInt(bed.id, 16);
    }

    public String subnet() {
        return "10." + (bed.underlayOctet - 50) + ".0.0/16";
    }

    public EtcdFixture etcd() {
        return bed.etcd;
    }

    public int size() {
        return bed.hosts.size();
    }

    public String netns(int host) {
        return bed.hosts.get(host).netns;
    }

    public String underlayIp(int host) {
        return bed.hosts.get(host).underlayIp;
    }

    /** The root namespace's address on the underlay: the etcd relay, the hosts' upstream resolver. */
    public String rootIp() throws IOException {
        return bed.rootIpUp();
    }

    public String traefikRoot() {
        return bed.traefikRoot();
    }

    /** The host's harness: its name, its dockerd's client, apply/delete through etcd. Null before {@link #prepare}. */
    public TestOperator harness(int host) {
        return bed.hosts.get(host).harness;
    }

    public void prepare(int host, String name) {
        bed.prepareOperator(bed.hosts.get(host), name);
    }

    /** Starts the host's operator in its namespace ({@link OverlayTestBed#startInNetns}). */
    public void start(int host, List<String> options) throws IOException {
        bed.startInNetns(bed.hosts.get(host), options);
    }

    public boolean running(int host) {
        Process p = bed.hosts.get(host).process;
        return p != null && p.isAlive();
    }

    /** SIGKILL of the host's operator; returns once it is gone. */
    public void kill(int host) throws InterruptedException {
        bed.killProcess(bed.hosts.get(host));
    }

    /** Runs a command (ip, bridge) and returns its output; an IOException when it fails. */
    public static String run(String... command) throws IOException {
        return OverlayTestBed.run(command);
    }

    @Override
    public void close() throws Exception {
        bed.close();
    }
}
