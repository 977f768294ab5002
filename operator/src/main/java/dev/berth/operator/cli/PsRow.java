package dev.berth.operator.cli;

/**
 * One line of {@code berth ps}: a container (or a replica assigned but not reported yet) of a stack on a host.
 * {@code state} is Docker's state as the host reported it, or Unknown when the host is not alive (its last report
 * and why in {@code reason}), or Assigned/Pending/Unavailable for replicas without a container report. Details the
 * host did not report (older operators, replicas not created yet) are null.
 */
record PsRow(String stack, String service, int replica, String host, String name, String image, String imageId,
             String state, String health, Integer restarts, String createdAt, String startedAt, Integer exitCode,
             String reason) {
}
