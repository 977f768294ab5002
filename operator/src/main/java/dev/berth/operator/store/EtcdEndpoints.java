package dev.berth.operator.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Endpoints as people write them, turned into the URLs jetcd needs. etcdctl takes {@code HOST:PORT} without a
 * scheme, so Berth does too: {@code http://} is assumed, {@code https://} when TLS files are given. Anything that is
 * not {@code [http|https://]HOST:PORT} is refused with one line naming the endpoint, before jetcd sees it (jetcd
 * throws a raw exception from deep inside its name resolver).
 */
public final class EtcdEndpoints {
    private EtcdEndpoints() {
    }

    /** @throws IllegalArgumentException naming the first malformed endpoint */
    public static List<String> parse(String commaSeparated, boolean tls) {
        List<String> urls = new ArrayList<>();
        for (String raw : commaSeparated == null ? new String[0] : commaSeparated.split(",")) {
            String endpoint = raw.strip();
            if (!endpoint.isEmpty()) {
                urls.add(url(endpoint, tls));
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint given (expected HOST:PORT or http[s]://HOST:PORT)");
        }
        return List.copyOf(urls);
    }

    private static String url(String endpoint, boolean tls) {
        String withScheme = endpoint.contains("://") ? endpoint : (tls ? "https://" : "http://") + endpoint;
        String problem;
        try {
            URI uri = new URI(withScheme);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                problem = "the scheme must be http or https";
            } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                problem = "no host";
            } else if (uri.getPort() < 1 || uri.getPort() > 65535) {
                problem = "no port (1..65535)";
            } else if (!uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/") || uri.getRawQuery() != null) {
                problem = "an endpoint has no path or query";
            } else {
                return uri.getScheme() + "://" + uri.getRawAuthority();
            }
        } catch (URISyntaxException e) {
            problem = e.getReason();
        }
        throw new IllegalArgumentException("bad etcd endpoint \"" + endpoint + "\": " + problem
                + " (expected HOST:PORT or http[s]://HOST:PORT)");
    }
}
