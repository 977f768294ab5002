package dev.berth.crds.compose;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * A middleware defined in Traefik labels ({@code traefik.http.middlewares.<name>.<kind>.<option>}) as a Route's
 * inline middleware, for the kinds a Route has: redirectscheme (to https), stripprefix, basicauth, ratelimit,
 * headers (custom request and response headers) and compress.
 */
final class TraefikMiddleware {
    private final ImportContext context;

    TraefikMiddleware(ImportContext context) {
        this.context = context;
    }

    /** @param props option (lowercase, without the middleware's prefix) → label */
    Optional<ObjectNode> inline(String name, Map<String, Nodes.Valued> props, Nodes.Valued usedAt) {
        var kinds = props.keySet().stream().map(k -> k.split("\\.", 2)[0]).distinct().toList();
        if (kinds.size() != 1) {
            props.values().forEach(l -> drop(l, "a middleware has exactly one kind, found " + String.join(", ", kinds)));
            return Optional.empty();
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
            props.values().forEach(l -> drop(l, "middleware kind \"" + kind + "\" is not supported by the Route kind"));
            drop(usedAt, "middleware \"" + name + "\" cannot be carried over");
            return Optional.empty();
        }
        for (var p : props.entrySet()) {
            Nodes.Valued label = p.getValue();
            String value = label.value() == null ? "" : label.value();
            String option = p.getKey().contains(".") ? p.getKey().substring(kind.length() + 1) : "";
            boolean taken = switch (kind + ":" + option) {
                case "redirectscheme:scheme" -> {
                    if (!value.equals("https")) {
                        drop(label, "only a redirect to https is supported");
                    }
                    yield true;
                }
                case "redirectscheme:permanent" -> put(body, "permanent", Boolean.parseBoolean(value));
                case "redirectscheme:port" -> integer(body, "port", value, label);
                case "stripprefix:prefixes" -> {
                    split(value).forEach(body.withArrayProperty("prefixes")::add);
                    yield true;
                }
                case "basicauth:users" -> {
                    split(value).forEach(body.withArrayProperty("users")::add);
                    yield true;
                }
                case "basicauth:realm" -> put(body, "realm", value);
                case "basicauth:removeheader" -> put(body, "removeHeader", Boolean.parseBoolean(value));
                case "ratelimit:average" -> integer(body, "average", value, label);
                case "ratelimit:burst" -> integer(body, "burst", value, label);
                case "ratelimit:period" -> put(body, "period", value);
                case "compress:" -> true;
                case "compress:minresponsebodybytes" -> integer(body, "minResponseBodyBytes", value, label);
                default -> headers(body, kind, label, value);
            };
            if (!taken) {
                drop(label, "not supported by the Route kind");
            }
        }
        return Optional.of(middleware);
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

    private boolean integer(ObjectNode body, String field, String value, Nodes.Valued label) {
        try {
            body.put(field, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            drop(label, "\"" + value + "\" is not a whole number");
        }
        return true;
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

    private void drop(Nodes.Valued label, String why) {
        context.diagnostics().warn(label, label.path(), why + "; dropped");
    }
}
