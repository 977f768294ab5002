package dev.berth.operator.cli;

import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.crds.status.Condition;
import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitSources: one row each. The GitOps leader writes one status per source (host {@code _leader} in the key);
 * its {@code Synced} condition's reason is the phase (Synced, OutOfSync, Failed or why it failed) and its
 * {@code Ready} condition names the synced commit. See dev.berth.operator.gitops.README.md.
 */
final class GitSourceTable implements KindTable {
    private static final Pattern COMMIT = Pattern.compile("commit ([0-9a-f]{7,64})");

    @Override
    public List<String> header(boolean wide) {
        return wide ? List.of("NAME", "URL", "REF", "STATUS", "SYNCED COMMIT", "LAST SYNC", "PATH", "PRUNE", "SELFHEAL",
                "MESSAGE") : List.of("NAME", "URL", "REF", "STATUS", "SYNCED COMMIT", "LAST SYNC");
    }

    @Override
    public List<List<String>> rows(ObjectView view, Instant now, boolean wide) {
        StoredObject object = view.object();
        GitSourceSpec spec = object.resource().map(r -> r.spec(GitSourceSpec.class)).orElse(null);
        ObjectStatus status = view.statuses().isEmpty() ? null : view.statuses().get(0);
        String phase = !object.valid() ? "Invalid" : status == null ? "Pending" : phase(status);
        String message = !object.valid() ? object.errors().get(0).toString() : status == null
                ? "the GitOps leader has not synced it yet" : message(status);
        List<String> cells = new ArrayList<>(List.of(object.name(), spec == null ? "-" : spec.url(),
                spec == null ? "-" : spec.ref(), phase, status == null ? "-" : syncedCommit(status),
                status == null ? "-" : Ages.since(status.since(), now)));
        if (wide) {
            cells.addAll(List.of(spec == null || spec.path().isEmpty() ? "/" : spec.path(),
                    spec == null ? "-" : spec.prune().toString(), spec == null ? "-" : spec.selfHeal().toString(),
                    message));
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(cells);
        return rows;
    }

    @Override
    public void describe(ObjectView view, PrintWriter out) {
        view.object().resource().ifPresent(r -> {
            GitSourceSpec spec = r.spec(GitSourceSpec.class);
            out.println("URL:         " + spec.url());
            out.println("Ref:         " + spec.ref());
            out.println("Path:        " + (spec.path().isEmpty() ? "/" : spec.path()));
            out.println("Interval:    " + spec.interval());
            out.println("Prune:       " + spec.prune() + ", selfHeal " + spec.selfHeal() + ", allowEmpty "
                    + spec.allowEmpty() + ", force " + spec.force());
            if (spec.credentials() != null) {
                out.println("Credentials: user " + (spec.credentials().username() == null ? "git" : spec.credentials().username())
                        + ", secret from " + reference(spec.credentials().passwordFile(), spec.credentials().passwordEnv(),
                        spec.credentials().passwordSecretRef()));
            }
            if (spec.webhook() != null) {
                out.println("Webhook:     POST /hooks/gitsource/" + r.metadata().name() + ", secret from "
                        + reference(spec.webhook().secretFile(), spec.webhook().secretEnv(), spec.webhook().secretRef()));
            }
        });
        if (view.statuses().isEmpty()) {
            out.println("Sync:        (the GitOps leader has not synced it yet)");
            return;
        }
        ObjectStatus s = view.statuses().get(0);
        out.println("Sync:        " + phase(s) + " (by " + s.host() + ", object revision " + s.observedRevision() + ")");
        out.println("Synced:      " + syncedCommit(s) + (s.since() == null ? "" : " at " + s.since()));
        Conditions.print(s, out);
    }

    private static String reference(String file, String env, dev.berth.crds.secret.SecretKeyRef secret) {
        return secret != null ? "secret/" + secret.name() + " key " + secret.key() : file != null ? "file " + file
                : env != null ? "environment variable " + env : "(nothing)";
    }

    private static String phase(ObjectStatus status) {
        return status.condition("Synced").map(c -> c.isTrue() ? "Synced" : c.reason().equals("OutOfSync")
                ? "OutOfSync" : "Failed").orElse("Unknown");
    }

    private static String message(ObjectStatus status) {
        return status.lastError() != null ? status.lastError()
                : status.condition("Synced").map(Condition::message).orElse("");
    }

    static String syncedCommit(ObjectStatus status) {
        return status.condition(Condition.READY).map(c -> {
            Matcher m = COMMIT.matcher(c.message() == null ? "" : c.message());
            return m.find() ? m.group(1).substring(0, Math.min(12, m.group(1).length())) : "-";
        }).orElse("-");
    }
}
