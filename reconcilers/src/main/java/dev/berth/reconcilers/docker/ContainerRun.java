package dev.berth.reconcilers.docker;

/**
 * What an inspect of a container tells beyond the list call: Docker's restart count (restarts by its restart
 * policy), when it last started (ISO-8601, null if never) and its last exit code (null while it never exited, or
 * when it exited before anyone watched and runs again: Docker clears the code on start).
 */
public record ContainerRun(int restarts, String startedAt, Integer exitCode) {
    public ContainerRun withExitCode(Integer value) {
        return new ContainerRun(restarts, startedAt, value);
    }
}
