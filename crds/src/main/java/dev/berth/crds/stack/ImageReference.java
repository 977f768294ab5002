package dev.berth.crds.stack;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Docker's grammar of an image reference ({@code [host[:port]/]path[:tag][@sha256:<64 hex>]}), checked here so a
 * mistyped image is a line in {@code berth apply} rather than a pull that fails on every host. Only the syntax: whether
 * the image exists is the registry's to say.
 */
public final class ImageReference {
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(([_.]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int MAX_NAME = 255;

    private ImageReference() {
    }

    /** What is wrong with {@code ref} as an image reference, or empty when Docker would take it. */
    public static Optional<String> problem(String ref) {
        if (ref.isBlank()) {
            return Optional.of("the image is empty");
        }
        String quoted = "\"" + Texts.shown(ref) + "\"";
        if (!ref.strip().equals(ref) || ref.chars().anyMatch(Character::isWhitespace)) {
            return Optional.of(quoted + " has spaces; an image reference is one word like nginx:1.27");
        }
        if (ref.contains("://")) {
            return Optional.of(quoted + " has a scheme; write the registry host without it, like "
                    + ref.substring(ref.indexOf("://") + 3));
        }
        String rest = ref;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digest = rest.substring(at + 1);
            if (!DIGEST.matcher(digest).matches()) {
                return Optional.of(quoted + ": the digest \"" + Texts.shown(digest) + "\" must be sha256: and 64 lowercase hex digits");
            }
            rest = rest.substring(0, at);
        }
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            String tag = rest.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                return Optional.of(quoted + ": the tag \"" + Texts.shown(tag) + "\" must be letters, digits, '_', '.' and '-', "
                        + "not starting with '.' or '-', at most 128 characters");
            }
            rest = rest.substring(0, colon);
        }
        if (rest.length() > MAX_NAME) {
            return Optional.of(quoted + ": the repository name is longer than " + MAX_NAME + " characters");
        }
        String[] parts = rest.split("/", -1);
        int first = 0;
        if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
            Optional<String> host = hostProblem(parts[0]);
            if (host.isPresent()) {
                return Optional.of(quoted + ": " + host.get());
            }
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                return Optional.of(quoted + " has an empty path component (a '/' too many)");
            }
            if (!PATH_COMPONENT.matcher(part).matches()) {
                String lower = part.toLowerCase(java.util.Locale.ROOT);
                String hint = !lower.equals(part) && PATH_COMPONENT.matcher(lower).matches()
                        ? "; repository names are lowercase: " + lower
                        : "; a component is lowercase letters and digits, separated by '.', '_', '__' or '-'";
                return Optional.of(quoted + ": \"" + Texts.shown(part) + "\" is not a valid repository name component" + hint);
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong with a registry host as images name it ({@code registry.example.com}, {@code 10.0.0.5:5000},
     * {@code localhost:5000}), or empty. No scheme, no path.
     */
    public static Optional<String> hostProblem(String host) {
        if (host.contains("://")) {
            return Optional.of("the registry \"" + host + "\" has a scheme; write only the host (and port), like "
                    + host.substring(host.indexOf("://") + 3));
        }
        if (host.contains("/")) {
            return Optional.of("the registry \"" + host + "\" has a path; write only the host (and port), like "
                    + host.substring(0, host.indexOf('/')));
        }
        String name = host;
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            String port = host.substring(colon + 1);
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                return Optional.of("the registry \"" + host + "\" has a bad port \"" + port + "\" (1 to 65535)");
            }
            name = host.substring(0, colon);
        }
        for (String component : name.split("\\.", -1)) {
            if (!DOMAIN_COMPONENT.matcher(component).matches()) {
                return Optional.of("the registry \"" + host + "\" is not a host name (letters, digits and '-' "
                        + "between dots, and an optional :port)");
            }
        }
        return Optional.empty();
    }
}
