package dev.berth.operator.store;

/** etcd could not be read or written; the message is one line a person can act on. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
