package dev.berth.operator.gitops;

import dev.berth.crds.gitops.GitCredentials;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.operator.manifests.ManifestFiles.ManifestFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * Git through JGit: one bare local repository per GitSource under {@code cacheDir}, fetched with a forced refspec
 * (so a force-push back to an older commit is followed), and manifests read straight from the commit's tree
 * (no checkout, nothing on disk but git objects).
 */
public final class GitRepos {
    /** Every network call gives up after this many seconds. */
    private static final int TIMEOUT_SECONDS = 30;
    /** A file bigger than the parser's limit is still read up to a bit more, so the parser reports it. */
    private static final int MAX_FILE = 2 * 1024 * 1024;
    private static final int MAX_FILES = 2000;

    /** The manifests of one commit, with their repository paths as file names (for file:line:column). */
    public record Fetched(String commit, List<ManifestFile> files) {
    }

    private final Path cacheDir;
    private final SecretRef secrets;

    GitRepos(Path cacheDir, SecretRef secrets) {
        this.cacheDir = cacheDir;
        this.secrets = secrets;
    }

    /** Fetches {@code spec.ref()} of {@code spec.url()} and reads every manifest under {@code spec.path()}. */
    public Fetched fetch(String source, GitSourceSpec spec) throws GitSyncException {
        CredentialsProvider credentials = credentials(spec.credentials());
        try (SshAccess ssh = SshAccess.of(spec.url(), spec.credentials(), secrets)) {
            return fetch(source, spec, credentials, ssh);
        }
    }

    /**
     * The local repository of {@code source} (the caller closes it), holding {@code commit}: fetched from
     * {@code spec.ref()} when it is not there yet (a build of the commit a stack was synced from).
     */
    Repository withCommit(String source, GitSourceSpec spec, String commit) throws GitSyncException {
        ObjectId id;
        try {
            id = ObjectId.fromString(commit);
        } catch (RuntimeException e) {
            throw new GitSyncException("GitError", "\"" + commit + "\" is not a commit id");
        }
        Repository repo = null;
        try {
            repo = open(source);
            if (!repo.getObjectDatabase().has(id)) {
                CredentialsProvider credentials = credentials(spec.credentials());
                try (SshAccess ssh = SshAccess.of(spec.url(), spec.credentials(), secrets)) {
                    fetchRef(repo, source, spec, credentials, ssh);
                }
                if (!repo.getObjectDatabase().has(id)) {
                    throw new GitSyncException("CommitNotFound", safeUrl(spec.url()) + " " + spec.ref()
                            + " no longer has commit " + commit);
                }
            }
            Repository result = repo;
            repo = null;
            return result;
        } catch (TransportException | InvalidRemoteException e) {
            throw new GitSyncException(reasonOf(e), "cannot fetch " + safeUrl(spec.url()) + ": " + oneLine(e), e);
        } catch (GitAPIException e) {
            throw new GitSyncException("FetchFailed", "cannot fetch " + safeUrl(spec.url()) + ": " + oneLine(e), e);
        } catch (IOException | RuntimeException e) {
            throw new GitSyncException("GitError", "git failed for " + safeUrl(spec.url()) + ": " + oneLine(e), e);
        } finally {
            if (repo != null) {
                repo.close();
            }
        }
    }

    /** Fetches the spec's ref into {@code refs/berth/<source>}; returns what arrived. */
    private Ref fetchRef(Repository repo, String source, GitSourceSpec spec, CredentialsProvider credentials,
                         SshAccess ssh) throws GitAPIException, GitSyncException, IOException {
        String remoteRef = resolveRemoteRef(repo, spec, credentials, ssh);
        String localRef = "refs/berth/" + source;
        try (Git git = new Git(repo)) {
            git.fetch().setRemote(spec.url()).setCredentialsProvider(credentials).setTransportConfigCallback(ssh)
                    .setTimeout(TIMEOUT_SECONDS)
                    .setRefSpecs(new RefSpec("+" + remoteRef + ":" + localRef)).setTagOpt(org.eclipse.jgit.transport.TagOpt.NO_TAGS)
                    .call();
        }
        Ref fetched = repo.exactRef(localRef);
        if (fetched == null) {
            throw new GitSyncException("RefNotFound", "fetched " + remoteRef + " from " + safeUrl(spec.url())
                    + " but nothing arrived");
        }
        return fetched;
    }

    private Fetched fetch(String source, GitSourceSpec spec, CredentialsProvider credentials, SshAccess ssh)
            throws GitSyncException {
        try (Repository repo = open(source)) {
            Ref fetched = fetchRef(repo, source, spec, credentials, ssh);
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit commit = walk.parseCommit(fetched.getObjectId()); // peels annotated tags
                return new Fetched(commit.getName(), read(repo, commit, spec.path()));
            }
        } catch (TransportException | InvalidRemoteException e) {
            String detail = oneLine(e);
            String prefix = safeUrl(spec.url()) + ": ";
            detail = detail.startsWith(prefix) ? detail.substring(prefix.length()) : detail;
            throw new GitSyncException(reasonOf(e), "cannot fetch " + safeUrl(spec.url()) + ": " + detail, e);
        } catch (GitAPIException e) {
            throw new GitSyncException("FetchFailed", "cannot fetch " + safeUrl(spec.url()) + ": " + oneLine(e), e);
        } catch (IOException | RuntimeException e) {
            throw new GitSyncException("GitError", "git failed for " + safeUrl(spec.url()) + ": " + oneLine(e), e);
        }
    }

    /** ls-remote through the local repository: the dumb HTTP transport needs one. */
    private String resolveRemoteRef(Repository repo, GitSourceSpec spec, CredentialsProvider credentials, SshAccess ssh)
            throws GitAPIException, GitSyncException {
        Collection<Ref> refs = new Git(repo).lsRemote().setRemote(spec.url()).setCredentialsProvider(credentials)
                .setTransportConfigCallback(ssh)
                .setTimeout(TIMEOUT_SECONDS).setHeads(false).setTags(false).call();
        List<String> candidates = spec.ref().startsWith("refs/") ? List.of(spec.ref())
                : List.of(Constants.R_HEADS + spec.ref(), Constants.R_TAGS + spec.ref());
        for (String candidate : candidates) {
            if (refs.stream().anyMatch(r -> r.getName().equals(candidate))) {
                return candidate;
            }
        }
        throw new GitSyncException("RefNotFound", safeUrl(spec.url()) + " has no branch or tag \"" + spec.ref() + "\"");
    }

    private static List<ManifestFile> read(Repository repo, RevCommit commit, String path) throws IOException,
            GitSyncException {
        List<ManifestFile> files = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            if (!path.isEmpty()) {
                walk.setFilter(PathFilter.create(path));
            }
            boolean pathSeen = path.isEmpty();
            while (walk.next()) {
                String name = walk.getPathString();
                pathSeen |= name.startsWith(path + "/");
                if (!(name.endsWith(".yaml") || name.endsWith(".yml")) || !walk.getFileMode(0).equals(
                        org.eclipse.jgit.lib.FileMode.REGULAR_FILE) && !walk.getFileMode(0).equals(
                        org.eclipse.jgit.lib.FileMode.EXECUTABLE_FILE)) {
                    continue;
                }
                if (files.size() >= MAX_FILES) {
                    throw new GitSyncException("TooManyFiles", "more than " + MAX_FILES + " manifests under \""
                            + path + "\"");
                }
                ObjectLoader loader = repo.open(walk.getObjectId(0));
                byte[] bytes = loader.getSize() > MAX_FILE ? new byte[MAX_FILE + 1] : loader.getBytes();
                files.add(new ManifestFile(name, bytes));
            }
            if (!pathSeen) {
                throw new GitSyncException("PathNotFound", "commit " + commit.getName().substring(0, 12)
                        + " has no folder \"" + path + "\"");
            }
        } catch (MissingObjectException e) {
            throw new GitSyncException("GitError", "commit " + commit.getName() + " is incomplete: " + e.getMessage());
        }
        files.sort(Comparator.comparing(ManifestFile::name));
        return files;
    }

    private Repository open(String source) throws IOException {
        Path dir = cacheDir.resolve(source + ".git");
        Files.createDirectories(cacheDir);
        Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        if (!Files.exists(dir.resolve("objects"))) {
            repo.create(true);
        }
        return repo;
    }

    private CredentialsProvider credentials(GitCredentials credentials) throws GitSyncException {
        if (credentials == null) {
            return null;
        }
        Optional<String> secret = secrets.read(credentials.passwordFile(), credentials.passwordEnv(),
                credentials.passwordSecretRef(), "credentials");
        if (secret.isEmpty()) {
            return null;
        }
        String user = credentials.username() == null || credentials.username().isBlank() ? "git" : credentials.username();
        return new UsernamePasswordCredentialsProvider(user, secret.get());
    }

    /** Drops a user:password@ part someone may have written into the URL, so it never reaches status or logs. */
    /**
     * The URL without its secrets, for messages and logs: the user-info (up to the last {@code @}, since
     * passwords are often pasted unencoded and may contain {@code @} or {@code /}) and the query string (tokens).
     * When unsure it hides too much rather than too little.
     */
    static String safeUrl(String url) {
        String masked = url;
        int query = masked.indexOf('?');
        if (query >= 0) {
            masked = masked.substring(0, query) + "?***";
        }
        int scheme = masked.indexOf("://");
        int at = masked.lastIndexOf('@', query >= 0 ? query : masked.length());
        if (scheme >= 0 && at > scheme + 3) {
            masked = masked.substring(0, scheme + 3) + "***" + masked.substring(at);
        }
        return masked;
    }

    private static String reasonOf(Exception e) {
        String text = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (text.contains("host key") || text.contains("hostkey")) {
            return "HostKeyRejected";
        }
        if (text.contains("not authorized") || text.contains("authentication") || text.contains("401")
                || text.contains("403") || text.contains("auth fail")) {
            return "AuthenticationFailed";
        }
        return "RepositoryUnreachable";
    }

    private static String oneLine(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        while (cause != null && cause != e) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(" (").append(cause.getMessage()).append(')');
            }
            e = cause;
            cause = cause.getCause();
        }
        return safeUrl(text.toString().replace('\n', ' ').replace('\r', ' '));
    }
}
