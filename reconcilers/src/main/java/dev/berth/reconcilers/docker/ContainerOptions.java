package dev.berth.reconcilers.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The container options Compose files brought to the Stack (hostname ... shmSize), as Docker takes them. Null, false
 * and empty mean Docker's default. {@code stopTimeoutSeconds} is the stop grace period in whole seconds (Docker's
 * StopTimeout); {@code shmSizeBytes} the size of /dev/shm.
 */
public record ContainerOptions(
        String hostname,
        String workingDir,
        boolean privileged,
        List<UlimitPlan> ulimits,
        LogPlan logging,
        Map<String, String> sysctls,
        List<String> extraHosts,
        List<String> devices,
        String stopSignal,
        Integer stopTimeoutSeconds,
        Long shmSizeBytes) implements Canonical.Form {
    /** Docker's defaults for every option. */
    public static final ContainerOptions NONE = new ContainerOptions(null, null, false, null, null, null, null, null,
            null, null, null);
    /** How long Docker waits after the stop signal when the container sets no StopTimeout. */
    public static final int DOCKER_DEFAULT_STOP_SECONDS = 10;

    public ContainerOptions {
        List<UlimitPlan> sorted = new ArrayList<>(ulimits == null ? List.of() : ulimits);
        sorted.sort(UlimitPlan.BY_NAME);
        ulimits = List.copyOf(sorted);
        sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
        extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** True when every option is Docker's default: such a plan's hash is the one it had before these options. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * How many seconds Berth lets the container stop before it removes it, or null to remove it at once (SIGKILL, as
     * for every container before these options). A service that names a stop signal or a grace period asks for a
     * graceful stop; the period defaults to Docker's 10 s.
     */
    public Integer gracefulStopSeconds() {
        if (stopTimeoutSeconds != null) {
            return stopTimeoutSeconds;
        }
        return stopSignal == null ? null : DOCKER_DEFAULT_STOP_SECONDS;
    }

    /**
     * Every option only when set, so that an option added here later leaves the hash of the containers that do not
     * use it alone, as the plan itself does with these options.
     */
    @Override
    public void writeCanonical(Canonical out) {
        out.record("ContainerOptions")
                .fieldIfSet("hostname", hostname)
                .fieldIfSet("workingDir", workingDir)
                .fieldIfSet("privileged", privileged ? Boolean.TRUE : null)
                // Sorted by name in the constructor: reordering is no change.
                .fieldIfSet("ulimits", ulimits)
                .fieldIfSet("logging", logging)
                .fieldIfSet("sysctls", sysctls)
                .fieldIfSet("extraHosts", extraHosts)
                .fieldIfSet("devices", devices)
                .fieldIfSet("stopSignal", stopSignal)
                .fieldIfSet("stopTimeoutSeconds", stopTimeoutSeconds)
                .fieldIfSet("shmSizeBytes", shmSizeBytes);
    }
}
