package dev.berth.operator.gitops;

import dev.berth.crds.gitops.GitCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * The ssh side of one fetch: the GitSource's key file as the only identity and its known_hosts file as the
 * only trust. Its own empty ssh directory keeps the operator user's ~/.ssh (keys, config, agent) out of it,
 * and an unknown or changed host key is refused — there is nobody to ask.
 */
final class SshAccess implements TransportConfigCallback, AutoCloseable {
    private final SshdSessionFactory factory;
    private final Path sshDir;

    private SshAccess(SshdSessionFactory factory, Path sshDir) {
        this.factory = factory;
        this.sshDir = sshDir;
    }

    static boolean isSsh(String url) {
        return url.startsWith("ssh://") || url.matches("^[A-Za-z0-9._-]+@[^:/]+:.*");
    }

    /**
     * No-op for non-ssh URLs; for ssh URLs the key and known_hosts files must be given, readable and inside the
     * operator's {@code --secrets-dir}.
     */
    static SshAccess of(String url, GitCredentials credentials, SecretRef secrets) throws GitSyncException {
        if (!isSsh(url)) {
            return new SshAccess(null, null);
        }
        if (credentials == null || credentials.sshKeyFile() == null || credentials.knownHostsFile() == null) {
            throw new GitSyncException("CredentialsMissing", "ssh repository " + GitRepos.safeUrl(url)
                    + " needs credentials.sshKeyFile and credentials.knownHostsFile");
        }
        Path key = secrets.file(credentials.sshKeyFile(), "credentials.sshKeyFile");
        Path knownHosts = secrets.file(credentials.knownHostsFile(), "credentials.knownHostsFile");
        for (Path file : List.of(key, knownHosts)) {
            if (!Files.isReadable(file)) {
                throw new GitSyncException("CredentialsMissing", "cannot read " + file + " for " + GitRepos.safeUrl(url));
            }
        }
        try {
            Path sshDir = Files.createTempDirectory("berth-ssh-");
            SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(sshDir.toFile())
                    .setSshDirectory(sshDir.toFile())
                    .setDefaultIdentities(dir -> List.of(key))
                    .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
                    .setPreferredAuthentications("publickey")
                    .build(new JGitKeyCache());
            return new SshAccess(factory, sshDir);
        } catch (IOException e) {
            throw new GitSyncException("GitError", "cannot prepare ssh for " + GitRepos.safeUrl(url) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(Transport transport) {
        if (factory != null && transport instanceof SshTransport ssh) {
            ssh.setSshSessionFactory(factory);
        }
    }

    @Override
    public void close() {
        if (factory != null) {
            factory.close();
        }
        if (sshDir != null) {
            sshDir.toFile().delete();
        }
    }
}
