package dev.berth.crds.stack;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container's {@code user}: {@code name|uid[:group|gid]}, as runc resolves it when the container starts (a
 * wrong one fails the start, not the create). Names are the portable user-name characters; ids are at most
 * 2147483647 (runc's bound). Either side may be empty (Docker then takes the image's user or the user's group).
 */
public final class UserSpec {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}\\$?");
    private static final Pattern ID = Pattern.compile("[0-9]{1,10}");
    private static final long MAX_ID = Integer.MAX_VALUE;

    private UserSpec() {
    }

    /** What is wrong with {@code user}, or empty. */
    public static Optional<String> problem(String user) {
        String[] parts = user.split(":", -1);
        if (parts.length > 2) {
            return Optional.of(form(user));
        }
        for (String part : parts) {
            // An empty side is the image's default (":" runs as root): Compose files with unset ${UID}:${GID} do this.
            if (part.isEmpty()) {
                continue;
            }
            if (ID.matcher(part).matches()) {
                if (Long.parseLong(part) > MAX_ID) {
                    return Optional.of("id " + part + " is above " + MAX_ID + ", the largest id a container may run as");
                }
            } else if (!NAME.matcher(part).matches()) {
                return Optional.of(form(user));
            }
        }
        return Optional.empty();
    }

    private static String form(String user) {
        return "\"" + Texts.shown(user) + "\" is not a user: write name or uid, optionally :group or :gid "
                + "(like app, 1000 or 1000:1000)";
    }
}
