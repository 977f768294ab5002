package dev.berth.crds.yaml;

/** The one spelling of a place in a document in messages: {@code spec.services[0].image}. */
public final class YamlPath {
    private YamlPath() {
    }

    public static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public static String item(String path, int index) {
        return path + "[" + index + "]";
    }
}
