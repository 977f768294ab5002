package dev.berth.operator.gitops;

import dev.berth.crds.ValidationError;
import dev.berth.operator.store.EtcdKv;
import java.util.List;
import java.util.Map;

/**
 * What one sync will write, and what it found, from {@link SyncPlanner}. Object names are {@code kind/name}.
 *
 * @param guards   every key the commit touches or declares, with the mod revision it was planned against
 * @param writes   puts (created, changed, healed, adopted with force) and deletes (pruned)
 * @param invalid  what the check across objects found in the commit (against what stays in etcd): when any,
 *                 nothing may be written
 * @param written  per declared object, the hash of the commit's text (kept in status)
 */
public record SyncPlan(List<EtcdKv.Guard> guards, List<EtcdKv.Write> writes, List<String> created,
                       List<String> changed, List<String> healed, List<String> pruned, List<String> unchanged,
                       List<String> orphans, List<String> outOfSync, List<String> conflicts,
                       List<ValidationError> invalid, Map<String, String> written) {
    public int applied() {
        return created.size() + changed.size() + healed.size();
    }
}
