package dev.berth.crds.compose;

/** Compose paths in messages: {@code services.web.ports[0]}. */
final class Paths {
    private Paths() {
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String item(String path, int index) {
        return path + "[" + index + "]";
    }
}
