package dev.berth.operator.control;

import java.util.List;
import java.util.Map;

/**
 * What an operator says about its host under {@code <root>/v1/hosts/<host>}, kept alive by an etcd lease: the
 * seed's discovery data. {@code networks} are the overlays this host takes part in (peers program FDB
 * entries for exactly those); {@code vtepMac} is derived from the host name, so it is the same after a restart.
 * {@code lastSeen} is when the record was last written (start, or a change of networks): the record is on the
 * operator's lease, so a listed host is alive; rewriting it on every resync would wake every peer for nothing.
 * {@code cpuMillis} and {@code memoryBytes} are the Docker host's CPUs and memory as {@code docker info} reports
 * them (null: unknown), what the scheduler subtracts reservations from. {@code api} is where the CLI reaches this
 * operator's API and the certificate it pins there (null: the API is off; records written before it existed read so).
 */
public record HostRecord(String name, Map<String, String> labels, String version, String startedAt, String underlayIp,
                         String vtepMac, List<HostNetwork> networks, String lastSeen, Long cpuMillis, Long memoryBytes,
                         ApiEndpoint api) {
    public HostRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    /** Without the operator API. */
    public HostRecord(String name, Map<String, String> labels, String version, String startedAt, String underlayIp,
                      String vtepMac, List<HostNetwork> networks, String lastSeen, Long cpuMillis, Long memoryBytes) {
        this(name, labels, version, startedAt, underlayIp, vtepMac, networks, lastSeen, cpuMillis, memoryBytes, null);
    }

    /** Without capacity (unknown: the scheduler does not check reservations against this host). */
    public HostRecord(String name, Map<String, String> labels, String version, String startedAt, String underlayIp,
                      String vtepMac, List<HostNetwork> networks, String lastSeen) {
        this(name, labels, version, startedAt, underlayIp, vtepMac, networks, lastSeen, null, null);
    }

    /** The operator API: {@code host:port} and the lower-case hex SHA-256 of its self-signed certificate. */
    public record ApiEndpoint(String address, String certSha256) {
    }

    /** One overlay this host takes part in: its name, VNI and VXLAN UDP port. */
    public record HostNetwork(String name, int vni, int port) {
    }

    public HostRecord withNetworks(List<HostNetwork> next, String now) {
        return new HostRecord(name, labels, version, startedAt, underlayIp, vtepMac, next, now, cpuMillis, memoryBytes, api);
    }

    /** A locally administered unicast MAC from the host name: stable across restarts, distinct per host. */
    public static String vtepMacFor(String host) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(host.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return String.format("02:%02x:%02x:%02x:%02x:%02x", d[0], d[1], d[2], d[3], d[4]);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
