package dev.berth.crds.route;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A reference to a Traefik middleware ({@code ref}) or an inline one ({@code name} and exactly one kind). */
public record RouteMiddleware(String ref, String name, RedirectToHttps redirectToHttps, StripPrefix stripPrefix,
                              BasicAuth basicAuth, RateLimit rateLimit, Headers headers, Compress compress) {

    /** The inline kinds that are set, by their YAML names (a valid inline middleware has exactly one). */
    public List<String> kinds() {
        var kinds = new java.util.ArrayList<String>();
        if (redirectToHttps != null) {
            kinds.add("redirectToHttps");
        }
        if (stripPrefix != null) {
            kinds.add("stripPrefix");
        }
        if (basicAuth != null) {
            kinds.add("basicAuth");
        }
        if (rateLimit != null) {
            kinds.add("rateLimit");
        }
        if (headers != null) {
            kinds.add("headers");
        }
        if (compress != null) {
            kinds.add("compress");
        }
        return kinds;
    }

    public boolean isReference() {
        return ref != null;
    }

    public record RedirectToHttps(Boolean permanent, Integer port) {
        public RedirectToHttps {
            permanent = permanent == null || permanent;
        }
    }

    public record StripPrefix(List<String> prefixes) {
        public StripPrefix {
            prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
        }
    }

    public record BasicAuth(List<String> users, String realm, Boolean removeHeader) {
        public BasicAuth {
            users = users == null ? List.of() : List.copyOf(users);
        }
    }

    public record RateLimit(Integer average, Integer burst, String period) {
    }

    public record Headers(Map<String, String> request, Map<String, String> response) {
        public Headers {
            request = request == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(request));
            response = response == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(response));
        }
    }

    public record Compress(Integer minResponseBodyBytes) {
        public Compress {
            minResponseBodyBytes = minResponseBodyBytes == null ? 1024 : minResponseBodyBytes;
        }
    }
}
