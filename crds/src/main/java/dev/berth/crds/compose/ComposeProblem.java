package dev.berth.crds.compose;

/**
 * A warning or an error of an import, in the shape of every other Berth message:
 * {@code docker-compose.yml:14:5: services.web.build: not supported (Berth runs existing images); dropped}.
 * {@code path} is the compose path ({@code services.web.build}), empty for the file as a whole.
 */
public record ComposeProblem(String file, int line, int column, String path, String message) {
    public ComposeProblem {
        path = path == null ? "" : path;
    }

    @Override
    public String toString() {
        String where = file + ":" + line + ":" + column + ": ";
        return path.isEmpty() ? where + message : where + path + ": " + message;
    }
}
