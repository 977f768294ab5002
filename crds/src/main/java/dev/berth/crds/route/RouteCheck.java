package dev.berth.crds.route;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rules of a Route the schema cannot say: a rule or hosts/pathPrefixes (not both, not neither), a rule Traefik
 * can parse, each middleware a reference or exactly one inline kind with a unique name, basic-auth users with
 * hashed passwords only, header names that are tokens (they become etcd key segments).
 */
public final class RouteCheck implements SpecCheck<RouteSpec> {
    /** htpasswd hashes Traefik accepts: bcrypt, Apache MD5, SHA1. */
    private static final Pattern HASHED_USER = Pattern.compile("^[^:\\s]+:(\\$2[aby]?\\$\\d\\d\\$.{53}|\\$apr1\\$[^$]+\\$.+|\\{SHA}.+)$");
    private static final Pattern HEADER = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_|~-]+$");

    /** A basic-auth entry Traefik can check: user:hash with a hash htpasswd makes (the compose importer asks too). */
    public static boolean hashedUser(String entry) {
        return HASHED_USER.matcher(entry).matches();
    }

    @Override
    public Class<RouteSpec> specType() {
        return RouteSpec.class;
    }

    @Override
    public void check(RouteSpec spec, CheckContext context) {
        boolean matchList = !spec.hosts().isEmpty() || !spec.pathPrefixes().isEmpty();
        if (spec.rule() != null && matchList) {
            context.error("spec.rule", "give either rule or hosts/pathPrefixes, not both");
        } else if (spec.rule() == null && !matchList) {
            context.error("spec", "a route needs hosts, pathPrefixes or a rule");
        } else if (spec.rule() != null) {
            List<String> problems = TraefikRule.problems(spec.rule());
            problems.forEach(p -> context.error("spec.rule", p));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.middlewares().size(); i++) {
            RouteMiddleware m = spec.middlewares().get(i);
            String path = "spec.middlewares[" + i + "]";
            List<String> kinds = m.kinds();
            if (m.ref() != null) {
                if (m.name() != null || !kinds.isEmpty()) {
                    context.error(path, "a middleware is either a reference (ref) or inline (name and one kind), not both");
                }
                continue;
            }
            if (m.name() == null) {
                context.error(path, "an inline middleware needs a name (or use ref: to name one defined in Traefik)");
            } else if (!names.add(m.name())) {
                context.error(path + ".name", "middleware name \"" + m.name() + "\" is used twice in this route");
            }
            if (kinds.size() != 1) {
                context.error(path, kinds.isEmpty()
                        ? "an inline middleware needs one of redirectToHttps, stripPrefix, basicAuth, rateLimit, headers, compress"
                        : "an inline middleware has exactly one kind, found " + String.join(", ", kinds));
            }
            if (m.basicAuth() != null) {
                for (int u = 0; u < m.basicAuth().users().size(); u++) {
                    String user = m.basicAuth().users().get(u);
                    if (!hashedUser(user)) {
                        context.error(path + ".basicAuth.users[" + u + "]", "expected user:hash with a bcrypt ($2y$), MD5 ($apr1$)"
                                + " or SHA1 ({SHA}) hash (htpasswd -nbB user password); plain passwords are refused");
                    }
                }
            }
            if (m.headers() != null) {
                headerNames(m.headers().request(), path + ".headers.request", context);
                headerNames(m.headers().response(), path + ".headers.response", context);
            }
        }
        if (spec.tls() != null && !spec.tls().enabled() && (spec.tls().certResolver() != null || !spec.tls().domains().isEmpty())) {
            context.error("spec.tls", "certResolver and domains need tls.enabled: true");
        }
    }

    private static void headerNames(Map<String, String> headers, String path, CheckContext context) {
        for (String name : headers.keySet()) {
            if (!HEADER.matcher(name).matches()) {
                context.error(path + "." + name, "\"" + name + "\" is not a valid HTTP header name");
            }
        }
    }
}
