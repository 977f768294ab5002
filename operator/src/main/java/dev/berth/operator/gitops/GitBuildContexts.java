package dev.berth.operator.gitops;

import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.images.GitContexts;
import dev.berth.operator.secrets.OperatorKeyring;
import dev.berth.operator.store.StoredObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Build contexts from a GitSource's repository: a folder of one commit, named by its tree id (what
 * {@code git rev-parse <commit>:<folder>} prints, so an unchanged folder has the same id in every commit) and
 * written as a tar the way {@code git archive <commit>:<folder>} does. The repository is fetched with the GitSource's
 * own credentials (the same code as the sync) into a cache of the operator's own.
 */
public final class GitBuildContexts implements GitContexts {
    private final GitRepos repos;
    private final Function<String, Optional<GitSourceSpec>> sources;

    /**
     * @param cacheDir      where the bare repositories are kept (under the operator's state directory)
     * @param secretsDir    the {@code --secrets-dir} a GitSource's password file must be in
     * @param secrets       the stored Secrets by name (a password by Secret reference)
     * @param secretsListed whether those Secrets were listed once
     * @param keyring       the operator's keyring
     * @param sources       the GitSources' specs by name
     */
    public GitBuildContexts(Path cacheDir, Path secretsDir, Function<String, Optional<StoredObject>> secrets,
                            BooleanSupplier secretsListed, OperatorKeyring keyring,
                            Function<String, Optional<GitSourceSpec>> sources) {
        this.sources = sources;
        this.repos = new GitRepos(cacheDir, new SecretRef(secretsDir, System::getenv,
                new SecretValues(secrets, secretsListed, keyring)));
    }

    /** Finds {@code folder} ("" for the root) in {@code commit}, fetching the source when the commit is not here. */
    @Override
    public String treeId(String source, String commit, String folder) throws Unavailable {
        try (Repository repo = open(source, commit)) {
            return tree(repo, commit, folder).getName();
        } catch (GitSyncException e) {
            throw new Unavailable(e.getMessage(), e);
        } catch (IOException e) {
            throw new Unavailable("cannot read commit " + commit + ": " + e.getMessage(), e);
        }
    }

    private Repository open(String source, String commit) throws GitSyncException {
        GitSourceSpec spec = sources.apply(source).orElseThrow(() -> new GitSyncException("SourceNotFound",
                "gitsource/" + source + " that the stack came from does not exist"));
        return repos.withCommit(source, spec, commit);
    }

    /** Writes the tree's files as a tar (regular files, executables, symbolic links; submodules are left out). */
    @Override
    public void writeTar(String source, String commit, String treeId, OutputStream out) throws Unavailable,
            IOException {
        try {
            write(open(source, commit), treeId, out);
        } catch (GitSyncException e) {
            throw new Unavailable(e.getMessage(), e);
        }
    }

    private static void write(Repository opened, String treeId, OutputStream out) throws IOException {
        try (Repository repo = opened;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
             TreeWalk walk = new TreeWalk(repo)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            walk.addTree(ObjectId.fromString(treeId));
            walk.setRecursive(true);
            // a fixed time: the same tree gives the same tar, and the builder's cache holds across commits
            Date time = new Date(0);
            while (walk.next()) {
                FileMode mode = walk.getFileMode(0);
                ObjectLoader blob;
                if (mode.equals(FileMode.GITLINK)) {
                    continue;
                }
                blob = repo.open(walk.getObjectId(0));
                TarArchiveEntry entry;
                if (mode.equals(FileMode.SYMLINK)) {
                    entry = new TarArchiveEntry(walk.getPathString(), TarConstants.LF_SYMLINK);
                    entry.setLinkName(new String(blob.getBytes(), StandardCharsets.UTF_8));
                    entry.setMode(0120777);
                } else {
                    entry = new TarArchiveEntry(walk.getPathString());
                    entry.setMode(mode.equals(FileMode.EXECUTABLE_FILE) ? 0100755 : 0100644);
                    entry.setSize(blob.getSize());
                }
                entry.setModTime(time);
                tar.putArchiveEntry(entry);
                if (!mode.equals(FileMode.SYMLINK)) {
                    blob.copyTo(tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    private static ObjectId tree(Repository repo, String commit, String folder) throws IOException, GitSyncException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit parsed = walk.parseCommit(ObjectId.fromString(commit));
            if (folder.isEmpty()) {
                return parsed.getTree().getId();
            }
            try (TreeWalk found = TreeWalk.forPath(repo, folder, parsed.getTree())) {
                if (found == null || !found.getFileMode(0).equals(FileMode.TREE)) {
                    throw new GitSyncException("PathNotFound", "commit " + commit.substring(0, 12)
                            + " has no folder \"" + folder + "\"");
                }
                return found.getObjectId(0);
            }
        }
    }
}
