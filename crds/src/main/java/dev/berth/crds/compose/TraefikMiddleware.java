package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A middleware defined in Traefik labels ({@code traefik.http.middlewares.<name>.<kind>.<option>}) as a Route's
 * inline middleware, for the kinds a Route has: redirectscheme (to https), stripprefix, basicauth, ratelimit,
 * headers (custom request and response headers) and compress. A middleware is inlined whole or not at all: one
 * option left out could be the one that protects the service, so the caller keeps such a middleware's labels.
 */
final class TraefikMiddleware {
    private final ImportContext context;

    TraefikMiddleware(ImportContext context) {
        this.context = context;
    }

    /**
     * @param inline    the Route's inline middleware, when every label was carried over
     * @param uncarried why not, otherwise: the kind or the options the Route kind lacks
     */
    record Conversion(Optional<ObjectNode> inline, String uncarried) {
    }

    /** @param props option (lowercase, without the middleware's prefix) → label */
    Conversion inline(String name, Map<String, Nodes.Valued> props) {
        var kinds = props.keySet().stream().map(k -> k.split("\\.", 2)[0]).distinct().toList();
        if (kinds.size() != 1) {
            return new Conversion(Optional.empty(), "it has several kinds (" + String.join(", ", kinds) + ")");
        }
        ObjectNode middleware = JsonNodeFactory.instance.objectNode();
        middleware.put("name", name);
        String kind = kinds.get(0);
        ObjectNode body = switch (kind) {
            case "redirectscheme" -> middleware.putObject("redirectToHttps");
            case "stripprefix" -> middleware.putObject("stripPrefix");
            case "basicauth" -> middleware.putObject("basicAuth");
            case "ratelimit" -> middleware.putObject("rateLimit");
            case "headers" -> middleware.putObject("headers");
            case "compress" -> middleware.putObject("compress");
            default -> null;
        };
        if (body == null) {
            return new Conversion(Optional.empty(), "the Route kind has no middleware of kind " + kind);
        }
        java.util.List<String> uncarried = new java.util.ArrayList<>();
        for (var p : props.entrySet()) {
            Nodes.Valued label = p.getValue();
            String value = label.value() == null ? "" : label.value();
            String option = p.getKey().contains(".") ? p.getKey().substring(kind.length() + 1) : "";
            boolean taken = switch (kind + ":" + option) {
                case "redirectscheme:scheme" -> value.equals("https");
                case "redirectscheme:permanent" -> put(body, "permanent", Boolean.parseBoolean(value));
                case "redirectscheme:port" -> integer(body, "port", value, 1, 65535);
                case "stripprefix:prefixes" -> {
                    split(value).forEach(body.withArrayProperty("prefixes")::add);
                    yield true;
                }
                case "basicauth:users" -> users(body, value, label);
                case "basicauth:realm" -> put(body, "realm", value);
                case "basicauth:removeheader" -> put(body, "removeHeader", Boolean.parseBoolean(value));
                case "ratelimit:average" -> integer(body, "average", value, 1, Integer.MAX_VALUE);
                case "ratelimit:burst" -> integer(body, "burst", value, 1, Integer.MAX_VALUE);
                case "ratelimit:period" -> dev.berth.crds.Durations.isDuration(value) && put(body, "period", value);
                case "compress:" -> true;
                case "compress:minresponsebodybytes" -> integer(body, "minResponseBodyBytes", value, 0, Integer.MAX_VALUE);
                default -> headers(body, kind, label, value);
            };
            if (!taken) {
                uncarried.add(p.getKey() + "=" + (kind.equals("basicauth") ? "..." : value));
            }
        }
        if (!uncarried.isEmpty()) {
            return new Conversion(Optional.empty(), "the Route kind cannot say " + String.join(", ", uncarried));
        }
        return new Conversion(Optional.of(middleware), "");
    }

    /**
     * Traefik compares the password with a hash: a plain-text one never matches, and Berth refuses it (it would sit
     * in etcd and container labels). An error at the label, naming the user, never the password.
     */
    private boolean users(ObjectNode body, String value, Nodes.Valued label) {
        for (String user : split(value)) {
            if (!dev.berth.crds.route.RouteCheck.hashedUser(user)) {
                String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
                context.diagnostics().error(label, label.path(), "user \"" + name + "\" has no "
                        + "password hash: Traefik needs user:hash (htpasswd -nbB " + name + " PASSWORD, each $ "
                        + "written $$ in a compose file); a plain-text password is refused");
            } else {
                body.withArrayProperty("users").add(user);
            }
        }
        return true;
    }

    /** Header names keep the case they were written in; Traefik lowercases only the label's own path. */
    private static boolean headers(ObjectNode body, String kind, Nodes.Valued label, String value) {
        if (!kind.equals("headers")) {
            return false;
        }
        String[] parts = label.key().split("\\.", 7);
        if (parts.length == 7 && parts[5].equalsIgnoreCase("customrequestheaders")) {
            body.withObjectProperty("request").put(parts[6], value);
            return true;
        }
        if (parts.length == 7 && parts[5].equalsIgnoreCase("customresponseheaders")) {
            body.withObjectProperty("response").put(parts[6], value);
            return true;
        }
        return false;
    }

    /** False (not carried) for a value outside what the Route's schema takes, as Traefik would read it otherwise. */
    private static boolean integer(ObjectNode body, String field, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                return false;
            }
            body.put(field, n);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean put(ObjectNode body, String field, String value) {
        body.put(field, value);
        return true;
    }

    private static boolean put(ObjectNode body, String field, boolean value) {
        body.put(field, value);
        return true;
    }

    private static java.util.List<String> split(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
