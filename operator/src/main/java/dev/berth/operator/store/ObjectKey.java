package dev.berth.operator.store;

/** An object's identity: singular lowercase kind and name, written "stack/web" (the work queue's key too). */
public record ObjectKey(String kind, String name) {
    public static ObjectKey parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("expected KIND/NAME, got " + text);
        }
        return new ObjectKey(text.substring(0, slash), text.substring(slash + 1));
    }

    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
