package dev.berth.crds.gitops;

/**
 * A git repository whose YAML Berth keeps in etcd (like an Argo CD Application or a Flux GitRepository +
 * Kustomization). {@code ref} is a branch or a tag name (or a full {@code refs/...} name); {@code path} is the
 * folder inside the repository whose *.yaml / *.yml files (recursively) are the manifests.
 * Secrets are never in the spec: {@code credentials} and {@code webhook} name a Secret key, a file (in the operator's
 * {@code --secrets-dir}) or a {@code BERTH_SECRET_*} environment variable ({@link GitSourceCheck}).
 */
public record GitSourceSpec(String url, String ref, String path, String interval, GitCredentials credentials,
                            Boolean prune, Boolean allowEmpty, Boolean selfHeal, Boolean force, GitWebhook webhook) {
    public GitSourceSpec {
        ref = ref == null || ref.isBlank() ? "main" : ref;
        path = normalisePath(path);
        interval = interval == null ? "1m" : interval;
        prune = prune != null && prune;
        allowEmpty = allowEmpty != null && allowEmpty;
        selfHeal = selfHeal == null || selfHeal;
        force = force != null && force;
    }

    /** "" for the whole repository, else a relative folder without leading or trailing slashes. */
    private static String normalisePath(String path) {
        if (path == null) {
            return "";
        }
        String p = path.strip();
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals(".") ? "" : p;
    }
}
