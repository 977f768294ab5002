package dev.berth.reconcilers.link;

/** A kernel read or write that failed as a whole (timeout, tool missing, unreadable output). */
public class LinkDriverException extends RuntimeException {
    public LinkDriverException(String message) {
        super(message);
    }

    public LinkDriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
