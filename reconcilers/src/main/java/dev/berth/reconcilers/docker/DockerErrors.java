package dev.berth.reconcilers.docker;

import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns what docker-java throws into a {@link DockerActionException} with a reason a person can act on. */
final class DockerErrors {
    private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private DockerErrors() {
    }

    /** @param what the action and the object's key, e.g. "create container web-httpd-1" */
    static DockerActionException classify(String what, RuntimeException e) {
        if (e instanceof DockerActionException d) {
            return d;
        }
        if (!(e instanceof DockerException) && hasIoCause(e)) {
            return new DockerActionException(DockerActionException.DOCKER_UNAVAILABLE,
                    what + ": Docker is not reachable: " + rootMessage(e), e);
        }
        String message = dockerMessage(e);
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        String reason;
        if (e instanceof NotFoundException && lower.contains("no such image")) {
            reason = DockerActionException.IMAGE_NOT_FOUND;
        } else if (lower.contains("port is already allocated") || lower.contains("address already in use")) {
            reason = DockerActionException.PORT_IN_USE;
        } else if (lower.contains("bind source path does not exist")) {
            reason = DockerActionException.BIND_SOURCE_MISSING;
        } else if (lower.contains("active endpoints")) {
            reason = DockerActionException.NETWORK_IN_USE;
        } else if (lower.contains("marked for removal") || lower.contains("failed to remove root filesystem")
                || lower.contains("device or resource busy")) {
            reason = DockerActionException.NOT_REMOVABLE;
        } else {
            reason = DockerActionException.DOCKER_ERROR;
        }
        return new DockerActionException(reason, what + ": " + message, e);
    }

    /** Docker's own sentence, without docker-java's "Status 404: {...}" wrapping. */
    static String dockerMessage(RuntimeException e) {
        String raw = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Matcher m = JSON_MESSAGE.matcher(raw);
        return m.find() ? m.group(1).replace("\\\"", "\"") : raw.strip();
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
