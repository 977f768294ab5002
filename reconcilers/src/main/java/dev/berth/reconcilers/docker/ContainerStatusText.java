package dev.berth.reconcilers.docker;

/** Reads the health out of the list call's Status text, e.g. "Up 3 seconds (healthy)", to avoid an inspect each. */
final class ContainerStatusText {
    private ContainerStatusText() {
    }

    static String health(String status) {
        if (status == null) {
            return null;
        }
        if (status.contains("(healthy)")) {
            return "healthy";
        }
        if (status.contains("(unhealthy)")) {
            return "unhealthy";
        }
        if (status.contains("(health: starting)")) {
            return "starting";
        }
        return null;
    }
}
