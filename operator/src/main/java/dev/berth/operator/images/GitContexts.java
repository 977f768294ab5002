package dev.berth.operator.images;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Build contexts in GitSources' repositories (implemented by the gitops package, which depends on this one and not
 * the other way round): a folder of a commit, named by its git tree id, and written as a tar.
 */
public interface GitContexts {
    /** The annotations GitOps writes on what it syncs (the same as gitops.GitAnnotations; a test checks). */
    String SOURCE_ANNOTATION = "berth.dev/gitsource";
    String COMMIT_ANNOTATION = "berth.dev/commit";
    String PATH_ANNOTATION = "berth.dev/path";

    /** The tree id of {@code folder} ("" for the root) in {@code commit} of the source's repository. */
    String treeId(String source, String commit, String folder) throws Unavailable;

    /** Writes the tree {@code treeId} of that repository as a tar. */
    void writeTar(String source, String commit, String treeId, OutputStream out) throws Unavailable, IOException;

    /** The context cannot be read; the message says why (for the status), never a secret. */
    final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
