package dev.berth.reconcilers.link;

import java.util.Objects;

/** One action of a batch failed; the message carries iproute2's stderr. Actions before it were applied. */
public final class LinkActionException extends LinkDriverException {
    private final transient LinkAction action;

    public LinkActionException(LinkAction action, String message) {
        super(message);
        this.action = Objects.requireNonNull(action, "action");
    }

    public LinkAction action() {
        return action;
    }
}
