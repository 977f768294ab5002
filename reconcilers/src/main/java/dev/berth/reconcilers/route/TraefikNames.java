package dev.berth.reconcilers.route;

/**
 * The names Berth gives Traefik's objects: router and service {@code berth-<route>}, inline middlewares
 * {@code berth-<route>_<middleware>}. Route and middleware names are DNS labels (no {@code _}, no {@code @}),
 * so no two routes' names can collide and every name is valid in Traefik's KV keys and labels.
 */
public final class TraefikNames {
    public static final String DEFAULT_ROOT = "traefik";

    private TraefikNames() {
    }

    public static String router(String route) {
        return "berth-" + route;
    }

    public static String service(String route) {
        return "berth-" + route;
    }

    public static String middleware(String route, String middleware) {
        return "berth-" + route + "_" + middleware;
    }

    /**
     * The {@code i}-th of {@code n} list indices, zero-padded to the width of the largest, so that Traefik, which
     * orders a list's entries by the string order of their index, reads them in numeric order ("00" .. "11").
     */
    public static String index(int i, int n) {
        int width = Integer.toString(Math.max(n - 1, 0)).length();
        String s = Integer.toString(i);
        return "0".repeat(width - s.length()) + s;
    }
}
