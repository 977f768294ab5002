package dev.berth.crds.gitops;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import dev.berth.crds.secret.SecretKeyRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a GitSource's secrets may come from, which the schema alone cannot say: one source per secret (a password
 * named twice would leave the reader guessing which one the operator uses), and only environment variables meant
 * for GitSources ({@value #SECRET_ENV_PREFIX}…), so a GitSource cannot make the operator send, say, its etcd
 * password to a repository URL of someone's choosing.
 */
public final class GitSourceCheck implements SpecCheck<GitSourceSpec> {
    /** The prefix of every environment variable a GitSource may read. */
    public static final String SECRET_ENV_PREFIX = "BERTH_SECRET_";
    /** The operator's own key-file variable has the prefix too; it is a path, still never a GitSource's business. */
    private static final String KEY_FILE_ENV = "BERTH_SECRET_KEY_FILE";

    @Override
    public Class<GitSourceSpec> specType() {
        return GitSourceSpec.class;
    }

    @Override
    public void check(GitSourceSpec spec, CheckContext context) {
        GitCredentials credentials = spec.credentials();
        if (credentials != null) {
            oneSource(context, "spec.credentials", credentials.passwordFile(), "passwordFile",
                    credentials.passwordEnv(), "passwordEnv", credentials.passwordSecretRef(), "passwordSecretRef");
            envName(context, "spec.credentials.passwordEnv", credentials.passwordEnv());
        }
        GitWebhook webhook = spec.webhook();
        if (webhook != null) {
            oneSource(context, "spec.webhook", webhook.secretFile(), "secretFile", webhook.secretEnv(), "secretEnv",
                    webhook.secretRef(), "secretRef");
            envName(context, "spec.webhook.secretEnv", webhook.secretEnv());
        }
    }

    /** Why a variable name may not be read, or null when it may. */
    public static String envProblem(String name) {
        if (name == null) {
            return null;
        }
        if (!name.startsWith(SECRET_ENV_PREFIX) || name.length() == SECRET_ENV_PREFIX.length()) {
            return "a GitSource may only read environment variables named " + SECRET_ENV_PREFIX + "… (got \"" + name
                    + "\"); give the operator the value as " + SECRET_ENV_PREFIX + name
                    + ", or better use a Secret (passwordSecretRef / secretRef)";
        }
        if (name.equals(KEY_FILE_ENV)) {
            return KEY_FILE_ENV + " is the operator's cluster key file, not a GitSource secret";
        }
        return null;
    }

    private static void envName(CheckContext context, String path, String name) {
        String problem = envProblem(name);
        if (problem != null) {
            context.error(path, problem);
        }
    }

    private static void oneSource(CheckContext context, String path, String file, String fileField, String env,
                                  String envField, SecretKeyRef ref, String refField) {
        List<String> set = new ArrayList<>();
        if (file != null) {
            set.add(fileField);
        }
        if (env != null) {
            set.add(envField);
        }
        if (ref != null) {
            set.add(refField);
        }
        if (set.size() > 1) {
            context.error(path + "." + set.get(1), "set only one of " + fileField + ", " + envField + " and "
                    + refField + " (this sets " + String.join(" and ", set) + ")");
        }
    }
}
