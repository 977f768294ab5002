package dev.berth.operator.secrets;

/** A key file that cannot be used, or a value that does not decrypt; the message never holds key or value bytes. */
public final class SecretKeyException extends Exception {
    public SecretKeyException(String message) {
        super(message);
    }
}
