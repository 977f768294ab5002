package dev.berth.operator.gitops;

import dev.berth.crds.gitops.GitSourceCheck;
import dev.berth.crds.secret.SecretKeyRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a GitSource's secrets by reference: a Secret key, a file, or an environment variable of the operator.
 * Files must lie in the operator's {@code --secrets-dir} (after following symbolic links) and variables must be
 * named {@code BERTH_SECRET_…}, so whoever may write a GitSource cannot make the operator read, and send to a
 * repository URL of their choosing, any other file or variable of its host. Messages name the reference, never
 * the value.
 */
final class SecretRef {
    private final Path secretsDir;
    private final Function<String, String> environment;
    private final SecretValues secrets;

    SecretRef(Path secretsDir, Function<String, String> environment, SecretValues secrets) {
        this.secretsDir = secretsDir.toAbsolutePath().normalize();
        this.environment = environment;
        this.secrets = secrets;
    }

    /**
     * Empty when no reference is set; a set reference that cannot be read is an error, and so are several (the
     * GitSource check refuses them at apply; an object stored before that rule existed still fails here).
     */
    Optional<String> read(String file, String env, SecretKeyRef ref, String what) throws GitSyncException {
        List<String> set = new ArrayList<>();
        if (file != null && !file.isBlank()) {
            set.add("file " + file);
        }
        if (env != null && !env.isBlank()) {
            set.add("environment variable " + env);
        }
        if (ref != null) {
            set.add("secret/" + ref.name());
        }
        if (set.size() > 1) {
            throw new GitSyncException("CredentialsUnavailable", what + ": more than one source is set ("
                    + String.join(", ", set) + "); set only one");
        }
        if (ref != null) {
            return Optional.of(secrets.read(ref, what));
        }
        if (file != null && !file.isBlank()) {
            Path path = file(file, what);
            try {
                return Optional.of(Files.readString(path).strip());
            } catch (IOException | RuntimeException e) {
                throw new GitSyncException("CredentialsUnavailable", what + ": cannot read file " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        if (env != null && !env.isBlank()) {
            String problem = GitSourceCheck.envProblem(env);
            if (problem != null) {
                throw new GitSyncException("CredentialsUnavailable", what + ": " + problem);
            }
            String value = environment.apply(env);
            if (value == null || value.isEmpty()) {
                throw new GitSyncException("CredentialsUnavailable", what + ": environment variable " + env
                        + " is not set in the operator");
            }
            return Optional.of(value.strip());
        }
        return Optional.empty();
    }

    /**
     * {@code file} as a real path inside {@code --secrets-dir}. The written path is checked first, so a file
     * outside is refused without being touched (no way to probe what exists elsewhere); then the real path, so a
     * symbolic link inside cannot point out.
     */
    Path file(String file, String what) throws GitSyncException {
        Path written = Path.of(file).toAbsolutePath().normalize();
        Path realDir;
        try {
            realDir = secretsDir.toRealPath();
        } catch (IOException e) {
            throw outside(file, what, ", which does not exist");
        }
        if (!written.startsWith(secretsDir) && !written.startsWith(realDir)) {
            throw outside(file, what, "");
        }
        Path real;
        try {
            real = written.toRealPath();
        } catch (IOException | RuntimeException e) {
            throw new GitSyncException("CredentialsUnavailable", what + ": cannot read file " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!real.startsWith(realDir)) {
            throw outside(file, what, "");
        }
        return real;
    }

    private GitSyncException outside(String file, String what, String more) {
        return new GitSyncException("CredentialsUnavailable", what + ": file " + file + " is outside the operator's"
                + " --secrets-dir (" + secretsDir + more + ")");
    }
}
