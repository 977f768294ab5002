package dev.berth.crds.stack;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code securityOpt} forms dockerd 20.10 takes ({@code parseSecurityOpt}): {@code no-new-privileges[=bool]},
 * {@code label=...}, {@code apparmor=<profile>}, {@code seccomp=unconfined|<profile JSON>}, each also with ':' for
 * '='. Berth hands the list to the daemon as it is, so the docker CLI's own forms (a seccomp profile's file path,
 * {@code systempaths=unconfined}) mean nothing there: the daemon refuses them, or fails the start.
 */
public final class SecurityOptions {
    /** What Go's strconv.ParseBool takes. */
    private static final Set<String> BOOLS = Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE",
            "false", "False");
    private static final Pattern LABEL = Pattern.compile("(user|role|type|level|filetype):\\S+|disable|nested");
    private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9_/][A-Za-z0-9_.:/-]*");

    private SecurityOptions() {
    }

    /** What is wrong with one option, or empty when the daemon takes it. */
    public static Optional<String> problem(String option) {
        if (option.equals("no-new-privileges") || option.equals("disable")) {
            return Optional.empty();
        }
        int eq = option.indexOf('=');
        int colon = option.indexOf(':');
        int at = eq >= 0 ? eq : colon;
        if (at < 0) {
            return Optional.of(unknown(option));
        }
        String key = option.substring(0, at);
        String value = option.substring(at + 1);
        return switch (key) {
            case "no-new-privileges" -> BOOLS.contains(value) ? Optional.empty()
                    : Optional.of("no-new-privileges takes true or false, not \"" + Texts.shown(value) + "\"");
            case "label" -> LABEL.matcher(value).matches() ? Optional.empty()
                    : Optional.of("label takes disable, nested, or user:, role:, type:, level:, filetype: and a value "
                    + "(SELinux), not \"" + Texts.shown(value) + "\"");
            case "apparmor" -> PROFILE.matcher(value).matches() ? Optional.empty()
                    : Optional.of("apparmor takes unconfined or a loaded profile's name, not \"" + Texts.shown(value) + "\"");
            case "seccomp" -> value.equals("unconfined") || value.strip().startsWith("{") ? Optional.empty()
                    : Optional.of("seccomp takes unconfined or the profile's JSON itself: Berth passes the value to "
                    + "Docker, which does not read files (only the docker CLI turns a path into the JSON)");
            case "systempaths" -> Optional.of("systempaths=unconfined is a docker CLI option (it empties the masked "
                    + "and read-only paths); the daemon Berth talks to refuses it");
            default -> Optional.of(unknown(option));
        };
    }

    private static String unknown(String option) {
        return "unknown security option \"" + Texts.shown(option) + "\" (Docker takes no-new-privileges[=true|false], "
                + "label=..., apparmor=..., seccomp=...)";
    }
}
