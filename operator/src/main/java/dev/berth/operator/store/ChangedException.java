package dev.berth.operator.store;

/** An object no longer had the mod revision a caller decided on; nothing was written. */
public final class ChangedException extends StoreException {
    public ChangedException(String message) {
        super(message);
    }
}
