package dev.berth.crds.gitops;

import dev.berth.crds.status.Condition;
import java.util.List;
import java.util.Map;

/**
 * What the GitOps leader reports for one GitSource, stored as JSON at
 * {@code /berth/v1/status/gitsource/<name>/_leader}. The fields {@code host}, {@code observedRevision},
 * {@code conditions}, {@code lastError} and {@code since} have the meaning and names of
 * {@link dev.berth.crds.status.ObjectStatus}, so every reader of status understands the gist; the rest is
 * GitOps detail.
 *
 * @param host                the operator (leader) that wrote it
 * @param observedRevision    the GitSource object's etcd mod revision this status is about
 * @param phase               {@code Synced}, {@code OutOfSync} or {@code Failed}
 * @param conditions          {@code Synced} (reason = phase) and {@code Ready} (a commit is applied)
 * @param lastError           why the last attempt failed (file:line:column for invalid manifests), or null
 * @param since               when the last synced commit was applied (ISO-8601); not moved by no-op passes
 * @param lastSyncedCommit    the commit whose manifests etcd holds
 * @param lastAttemptedCommit the commit the last attempt read (differs from lastSyncedCommit after a failure)
 * @param lastAttemptTime     when lastAttemptedCommit was first attempted
 * @param applied             objects created or changed by the last sync that wrote anything
 * @param pruned              objects deleted by the last sync that wrote anything
 * @param objects             every object of the synced commit, {@code kind/name}, sorted
 * @param orphans             objects annotated with this source that the commit no longer has (prune off)
 * @param outOfSync           objects of this source whose etcd text differs from the commit (self-heal off)
 * @param conflicts           objects the commit declares that belong to another source or were applied by hand
 * @param errors              every validation error of the attempted commit, {@code file:line:column: ...}
 * @param selfHealed          hand edits undone since this operator became leader... and before: a running total
 * @param written             per object, the hash of the text this source last wrote (tells git changes from hand edits)
 * @param requestRevision     the etcd mod revision of the newest sync request ({@code berth sync gitsource}, a webhook
 *                            that reached a follower) that a pass fetched after, 0 when none: a request at revision R
 *                            is answered by the first status with {@code requestRevision >= R}
 */
public record GitSourceStatus(String host, long observedRevision, String phase, List<Condition> conditions,
                              String lastError, String since, String lastSyncedCommit, String lastAttemptedCommit,
                              String lastAttemptTime, int applied, int pruned, List<String> objects,
                              List<String> orphans, List<String> outOfSync, List<String> conflicts,
                              List<String> errors, long selfHealed, Map<String, String> written,
                              long requestRevision) {
    public static final String SYNCED = "Synced";
    public static final String OUT_OF_SYNC = "OutOfSync";
    public static final String FAILED = "Failed";

    public GitSourceStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        objects = objects == null ? List.of() : List.copyOf(objects);
        orphans = orphans == null ? List.of() : List.copyOf(orphans);
        outOfSync = outOfSync == null ? List.of() : List.copyOf(outOfSync);
        conflicts = conflicts == null ? List.of() : List.copyOf(conflicts);
        errors = errors == null ? List.of() : List.copyOf(errors);
        written = written == null ? Map.of() : Map.copyOf(new java.util.TreeMap<>(written));
    }

    /** This status as the answer to the sync request at {@code revision}. */
    public GitSourceStatus withRequestRevision(long revision) {
        return new GitSourceStatus(host, observedRevision, phase, conditions, lastError, since, lastSyncedCommit,
                lastAttemptedCommit, lastAttemptTime, applied, pruned, objects, orphans, outOfSync, conflicts, errors,
                selfHealed, written, revision);
    }
}
