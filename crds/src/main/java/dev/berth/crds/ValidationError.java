package dev.berth.crds;

/**
 * One problem in a manifest. Lines and columns are 1-based and count across the whole (multi-document) file.
 * {@code path} names the field ({@code spec.services[0].image}), the document ({@code (document 2)}) or is empty
 * when the problem is the file itself.
 */
public record ValidationError(String file, int line, int column, String path, String message) {
    public ValidationError {
        path = path == null ? "" : path;
    }

    /** {@code file:line:column: path: message}, the shape compilers use, so editors can jump to it. */
    @Override
    public String toString() {
        String where = file + ":" + line + ":" + column + ": ";
        return path.isEmpty() ? where + message : where + path + ": " + message;
    }
}
