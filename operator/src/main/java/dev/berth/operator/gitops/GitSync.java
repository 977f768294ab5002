package dev.berth.operator.gitops;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectSetCheck;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.crds.status.Condition;
import dev.berth.operator.manifests.Manifests;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.KeyLayout;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoreException;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StackRevisions;
import dev.berth.operator.store.StoredValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one GitSource: read the object from etcd, fetch (when due), validate every manifest of the commit,
 * plan, write everything in guarded transactions, report status. Only the elected leader calls it, and the work
 * queue guarantees one pass per source at a time.
 */
public final class GitSync {
    private static final Logger log = LoggerFactory.getLogger(GitSync.class);
    /** Status key segment in place of a host: one status per source, written by whoever leads. */
    public static final String STATUS_HOST = "_leader";
    /** Below etcd's default limit of 128 operations per transaction. */
    private static final int KEYS_PER_TXN = 100;
    private static final int ATTEMPTS = 3;
    private static final int MAX_ERRORS_IN_STATUS = 50;

    /** How a pass ended, for the controller loop: retry with backoff, or look again after a while. */
    public record Outcome(boolean retry, Optional<Duration> requeueAfter, String summary) {
    }

    private record Cached(String specKey, GitRepos.Fetched fetched, Instant at) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final EtcdKv kv;
    private final KeyLayout keys;
    private final Kinds kinds;
    private final ManifestParser parser;
    private final ObjectSetCheck setCheck = ObjectSetCheck.standard();
    private final ResourceStore store;
    private final GitRepos repos;
    private final SecretValues secrets;
    private final GitOpsMetrics metrics;
    private final String host;
    private final Clock clock;
    private final KindDef gitSourceKind;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Set<String> fetchRequested = ConcurrentHashMap.newKeySet();
    /** Per status key during a pass: the sync request the pass answers (see GitSourceStatus.requestRevision). */
    private final Map<String, Long> answering = new ConcurrentHashMap<>();

    GitSync(EtcdKv kv, KeyLayout keys, Kinds kinds, GitRepos repos, SecretValues secrets, GitOpsMetrics metrics,
            String host, Clock clock) {
        this.secrets = secrets;
        this.kv = kv;
        this.keys = keys;
        this.kinds = kinds;
        this.parser = new ManifestParser(kinds);
        this.store = new ResourceStore(kv, keys, kinds, parser);
        this.repos = repos;
        this.metrics = metrics;
        this.host = host;
        this.clock = clock;
        this.gitSourceKind = kinds.byKind("GitSource").orElseThrow();
    }

    /** The next pass of {@code source} fetches even if its interval has not passed (webhook, new leader). */
    void requestFetch(String source) {
        fetchRequested.add(source);
    }

    public Outcome sync(String name) {
        String statusKey = keys.status(gitSourceKind.singular(), name, STATUS_HOST);
        // Read before the fetch, so a request this pass answers was made before the fetch started.
        long request = kv.get(GitOpsRuntime.triggersPrefix(keys) + name).map(StoredValue::modRevision).orElse(0L);
        Optional<StoredObject> object = store.get(gitSourceKind, name);
        Optional<StoredValue> previousRaw = kv.get(statusKey);
        GitSourceStatus previous = previousRaw.flatMap(v -> readStatus(v.value())).orElse(null);
        long answered = previous == null ? 0 : previous.requestRevision();
        if (request > answered) {
            fetchRequested.add(name); // the trigger's watch event may not have arrived yet
            answered = request;
        }
        answering.put(statusKey, answered);
        try {
            return sync(name, statusKey, object, previousRaw, previous);
        } finally {
            answering.remove(statusKey);
        }
    }

    private Outcome sync(String name, String statusKey, Optional<StoredObject> object,
                         Optional<StoredValue> previousRaw, GitSourceStatus previous) {
        if (object.isEmpty()) {
            // The source is gone: forget it. Its objects stay (never delete on doubt); they become orphans of nobody.
            cache.remove(name);
            if (previousRaw.isPresent()) {
                kv.delete(statusKey);
            }
            return new Outcome(false, Optional.empty(), "gitsource deleted");
        }
        long revision = object.get().raw().modRevision();
        if (!object.get().valid()) {
            String error = object.get().errors().get(0).toString();
            write(statusKey, previousRaw, failed(previous, revision, null, "InvalidSpec", error,
                    object.get().errors().stream().map(ValidationError::toString).toList()));
            metrics.sync(name, "failed");
            return new Outcome(false, Optional.empty(), "invalid GitSource: " + error);
        }
        Resource resource = object.get().resource().orElseThrow();
        GitSourceSpec spec = resource.spec(GitSourceSpec.class);
        Duration interval = dev.berth.crds.Durations.parse(spec.interval());

        GitRepos.Fetched fetched;
        try {
            fetched = fetchIfDue(name, spec, resource.canonicalJson(), interval);
        } catch (GitSyncException e) {
            log.warn("gitsource/{}: {}: {}", name, e.reason(), e.getMessage());
            write(statusKey, previousRaw, failed(previous, revision, null, e.reason(), e.getMessage(), List.of()));
            metrics.sync(name, "failed");
            return new Outcome(true, Optional.empty(), e.getMessage());
        }
        String commit = fetched.commit();
        Manifests.Loaded loaded = withoutGitSources(Manifests.load(parser, fetched.files()));
        if (!loaded.ok()) {
            return invalidManifests(name, statusKey, previousRaw, previous, revision, commit, loaded.errors(), interval);
        }
        CommittedSecrets.Problems secretProblems = CommittedSecrets.check(loaded.resources(), secrets);
        if (!secretProblems.ok()) {
            return invalidManifests(name, statusKey, previousRaw, previous, revision, commit, secretProblems.all(),
                    interval, secretProblems.reason());
        }
        if (loaded.resources().isEmpty() && !spec.allowEmpty()) {
            String message = "commit " + shortSha(commit) + " has no manifests under \"" + spec.path()
                    + "\"; refusing to sync an empty commit (set allowEmpty: true to allow it)";
            write(statusKey, previousRaw, failed(previous, revision, commit, "EmptyCommit", message, List.of()));
            metrics.sync(name, "failed");
            return new Outcome(false, Optional.of(interval), message);
        }
        List<SyncPlanner.Desired> desired = new ArrayList<>();
        for (Resource r : loaded.resources()) {
            Optional<SyncPlanner.Desired> d = annotate(r, name, commit);
            if (d.isEmpty()) {
                String message = r.file() + ":" + r.line() + ":1: cannot add the berth.dev annotations to " + r.key();
                write(statusKey, previousRaw, failed(previous, revision, commit, "InvalidManifests", message,
                        List.of(message)));
                metrics.sync(name, "failed");
                return new Outcome(false, Optional.of(interval), message);
            }
            desired.add(d.get());
        }

        Map<String, String> previouslyWritten = previous == null ? Map.of() : previous.written();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Map<String, SyncPlanner.Current> current = listAll();
            SyncPlan plan = SyncPlanner.plan(name, spec.prune(), spec.selfHeal(), spec.force(), desired, current,
                    previouslyWritten, parser, setCheck);
            if (!plan.invalid().isEmpty()) {
                return invalidManifests(name, statusKey, previousRaw, previous, revision, commit, plan.invalid(),
                        interval);
            }
            if (!plan.conflicts().isEmpty()) {
                String message = "commit " + shortSha(commit) + ": " + plan.conflicts().size()
                        + " object(s) not owned by this source, nothing applied (set force: true to take them over): "
                        + String.join(", ", plan.conflicts());
                log.warn("gitsource/{}: {}", name, message);
                GitSourceStatus status = failed(previous, revision, commit, "Conflict", message, List.of());
                write(statusKey, previousRaw, withConflicts(status, plan.conflicts()));
                metrics.sync(name, "failed");
                metrics.objects(name, Map.of("conflict", plan.conflicts().size()));
                return new Outcome(false, Optional.of(interval), message);
            }
            if (!commitPlan(plan, current, "gitsource/" + name + " commit " + shortSha(commit))) {
                log.info("gitsource/{}: objects changed in etcd while applying commit {}, planning again", name,
                        shortSha(commit));
                continue;
            }
            GitSourceStatus status = applied(previous, revision, commit, plan);
            write(statusKey, previousRaw, status);
            String result = status.phase().equals(GitSourceStatus.SYNCED) ? "synced" : "outofsync";
            metrics.sync(name, result);
            metrics.success(name, clock.instant().getEpochSecond());
            if (!plan.healed().isEmpty()) {
                metrics.healed(name, plan.healed().size());
            }
            int synced = plan.unchanged().size() + plan.created().size() + plan.changed().size() + plan.healed().size();
            metrics.objects(name, Map.of("synced", synced, "outofsync", plan.outOfSync().size(),
                    "orphaned", plan.orphans().size()));
            if (!plan.writes().isEmpty()) {
                log.info("gitsource/{}: commit {} applied: created {}, changed {}, healed {}, pruned {}", name,
                        shortSha(commit), plan.created(), plan.changed(), plan.healed(), plan.pruned());
            }
            return new Outcome(false, Optional.of(interval), status.phase());
        }
        String message = "commit " + shortSha(commit) + ": objects kept changing in etcd while applying; nothing of"
                + " the last attempt was written, retrying";
        write(statusKey, previousRaw, failed(previous, revision, commit, "ConcurrentChange", message, List.of()));
        metrics.sync(name, "failed");
        return new Outcome(true, Optional.empty(), message);
    }

    /** A commit that breaks a rule (of one manifest or across objects): nothing applied, every error in status. */
    private Outcome invalidManifests(String name, String statusKey, Optional<StoredValue> previousRaw,
                                     GitSourceStatus previous, long revision, String commit,
                                     List<ValidationError> invalid, Duration interval) {
        return invalidManifests(name, statusKey, previousRaw, previous, revision, commit, invalid, interval,
                "InvalidManifests");
    }

    private Outcome invalidManifests(String name, String statusKey, Optional<StoredValue> previousRaw,
                                     GitSourceStatus previous, long revision, String commit,
                                     List<ValidationError> invalid, Duration interval, String reason) {
        List<String> errors = invalid.stream().map(ValidationError::toString).toList();
        String message = "commit " + shortSha(commit) + ": " + errors.size() + (errors.size() == 1 ? " invalid"
                + " manifest error" : " manifest errors") + ", nothing applied; first: " + errors.get(0);
        log.warn("gitsource/{}: {}", name, message);
        write(statusKey, previousRaw, failed(previous, revision, commit, reason, message, errors));
        metrics.sync(name, "failed");
        return new Outcome(false, Optional.of(interval), message);
    }

    private GitRepos.Fetched fetchIfDue(String name, GitSourceSpec spec, String specKey, Duration interval)
            throws GitSyncException {
        Cached cached = cache.get(name);
        Instant now = clock.instant();
        boolean due = cached == null || !cached.specKey().equals(specKey) || fetchRequested.remove(name)
                || !now.isBefore(cached.at().plus(interval.multipliedBy(9).dividedBy(10)));
        if (!due) {
            return cached.fetched();
        }
        GitRepos.Fetched fetched;
        try {
            fetched = repos.fetch(name, spec);
        } catch (GitSyncException e) {
            // The retry fetches again rather than re-applying the cached commit: a password that stopped working
            // (a changed Secret keeps the spec, so the cache would still match it) stays a failure until fixed.
            fetchRequested.add(name);
            throw e;
        }
        cache.put(name, new Cached(specKey, fetched, now));
        return fetched;
    }

    /** The resource with the two annotations, re-parsed to prove the text still means the same object. */
    private Optional<SyncPlanner.Desired> annotate(Resource r, String source, String commit) {
        String etcdKey = keys.desired(r.kind().singular(), r.metadata().name());
        String want = SyncPlanner.contentHash(r);
        for (int way = 0; way < 2; way++) {
            String text;
            try {
                text = way == 0 ? GitAnnotations.injectKeepingText(r.yaml(), source, commit, r.file()).orElse(null)
                        : GitAnnotations.reserialise(r.yaml(), source, commit, r.file());
            } catch (IllegalArgumentException e) {
                text = null;
            }
            if (text == null) {
                continue;
            }
            ParseResult parsed = parser.parse(r.file(), text);
            if (parsed.ok() && parsed.resources().size() == 1) {
                Resource again = parsed.resources().get(0);
                if (again.key().equals(r.key()) && SyncPlanner.contentHash(again).equals(want)
                        && source.equals(again.metadata().annotations().get(GitAnnotations.SOURCE))
                        && commit.equals(again.metadata().annotations().get(GitAnnotations.COMMIT))
                        && java.util.Objects.equals(r.file(), again.metadata().annotations().get(GitAnnotations.PATH))) {
                    return Optional.of(new SyncPlanner.Desired(r.key(), etcdKey, text, r));
                }
            }
        }
        return Optional.empty();
    }

    private Map<String, SyncPlanner.Current> listAll() {
        Map<String, SyncPlanner.Current> all = new HashMap<>();
        for (KindDef kind : kinds.all()) {
            for (StoredValue value : kv.list(keys.kindPrefix(kind.singular())).values()) {
                keys.parseDesired(value.key()).ifPresent(k -> all.put(k.toString(), new SyncPlanner.Current(k.toString(), value)));
            }
        }
        return all;
    }

    /**
     * Writes the plan in transactions of at most {@link #KEYS_PER_TXN} guards and writes each, each guarded by mod
     * revision; a stack's revision history goes in the transaction that writes the stack.
     */
    private boolean commitPlan(SyncPlan plan, Map<String, SyncPlanner.Current> current, String cause) {
        if (plan.writes().isEmpty()) {
            return true;
        }
        Map<String, EtcdKv.Write> writesByKey = new HashMap<>();
        plan.writes().forEach(w -> writesByKey.put(w.key(), w));
        List<EtcdKv.Guard> chunk = new ArrayList<>();
        List<EtcdKv.Write> writes = new ArrayList<>();
        for (EtcdKv.Guard guard : plan.guards()) {
            EtcdKv.Write write = writesByKey.get(guard.key());
            StackRevisions.Extra these = write == null ? StackRevisions.Extra.NONE : withHistory(write, current, cause);
            if (!chunk.isEmpty() && (chunk.size() + 1 > KEYS_PER_TXN
                    || writes.size() + these.writes().size() > KEYS_PER_TXN)) {
                if (!writes.isEmpty() && !kv.commit(chunk, writes)) {
                    return false;
                }
                chunk = new ArrayList<>();
                writes = new ArrayList<>();
            }
            chunk.add(guard);
            chunk.addAll(these.guards());
            writes.addAll(these.writes());
        }
        return writes.isEmpty() || kv.commit(chunk, writes);
    }

    /** The write, and when it writes or deletes a stack, that stack's history writes with their guards. */
    private StackRevisions.Extra withHistory(EtcdKv.Write write, Map<String, SyncPlanner.Current> current, String cause) {
        Optional<dev.berth.crds.ObjectKey> object = keys.parseDesired(write.key());
        if (object.isEmpty() || !object.get().kind().equals("stack")) {
            return new StackRevisions.Extra(List.of(write), List.of());
        }
        Optional<StoredValue> before = Optional.ofNullable(current.get(object.get().toString()))
                .map(SyncPlanner.Current::value);
        Optional<Resource> after = Optional.empty();
        if (write.value() != null) {
            ParseResult parsed = parser.parse(write.key(), write.value());
            if (!parsed.ok() || parsed.resources().size() != 1) {
                return new StackRevisions.Extra(List.of(write), List.of()); // planned from a parsed commit, so this does not happen; never block the sync
            }
            after = Optional.of(parsed.resources().get(0));
        }
        List<EtcdKv.Write> all = new ArrayList<>();
        all.add(write);
        StackRevisions.Extra history = store.revisions().onWrite(object.get().name(), before, after, cause);
        all.addAll(history.writes());
        return new StackRevisions.Extra(all, history.guards());
    }

    private GitSourceStatus applied(GitSourceStatus previous, long revision, String commit, SyncPlan plan) {
        String now = clock.instant().toString();
        boolean wrote = !plan.writes().isEmpty();
        boolean newCommit = previous == null || !commit.equals(previous.lastSyncedCommit());
        String since = wrote || newCommit || previous.since() == null ? now : previous.since();
        String attemptTime = previous != null && commit.equals(previous.lastAttemptedCommit())
                && previous.lastAttemptTime() != null ? previous.lastAttemptTime() : now;
        int applied = wrote || newCommit ? plan.applied() : previous.applied();
        int pruned = wrote || newCommit ? plan.pruned().size() : previous.pruned();
        long selfHealed = (previous == null ? 0 : previous.selfHealed()) + plan.healed().size();
        boolean inSync = plan.orphans().isEmpty() && plan.outOfSync().isEmpty();
        String phase = inSync ? GitSourceStatus.SYNCED : GitSourceStatus.OUT_OF_SYNC;
        List<String> objects = new ArrayList<>(plan.written().keySet());
        String message = "commit " + shortSha(commit) + ": " + objects.size() + " object(s)"
                + (plan.orphans().isEmpty() ? "" : "; orphaned (prune is off): " + String.join(", ", plan.orphans()))
                + (plan.outOfSync().isEmpty() ? "" : "; edited in etcd (selfHeal is off): "
                + String.join(", ", plan.outOfSync()));
        List<Condition> conditions = conditions(previous, phase, message, true, commit, now);
        return new GitSourceStatus(host, revision, phase, conditions, null, since, commit, commit, attemptTime, applied,
                pruned, objects, plan.orphans(), plan.outOfSync(), List.of(), List.of(), selfHealed, plan.written(), 0);
    }

    private GitSourceStatus failed(GitSourceStatus previous, long revision, String commit, String reason,
                                   String message, List<String> errors) {
        String now = clock.instant().toString();
        String attempted = commit != null ? commit : previous == null ? null : previous.lastAttemptedCommit();
        String attemptTime = previous != null && java.util.Objects.equals(attempted, previous.lastAttemptedCommit())
                && previous.lastAttemptTime() != null && GitSourceStatus.FAILED.equals(previous.phase())
                ? previous.lastAttemptTime() : now;
        List<String> capped = errors.size() > MAX_ERRORS_IN_STATUS ? errors.subList(0, MAX_ERRORS_IN_STATUS) : errors;
        String synced = previous == null ? null : previous.lastSyncedCommit();
        List<Condition> conditions = conditions(previous, GitSourceStatus.FAILED, reason + ": " + message,
                synced != null && synced.equals(attempted), synced, now);
        conditions = conditions.stream().map(c -> c.type().equals("Synced")
                ? new Condition(c.type(), c.status(), reason, c.message(), c.lastTransitionTime()) : c).toList();
        return new GitSourceStatus(host, revision, GitSourceStatus.FAILED, conditions, message,
                previous == null ? null : previous.since(), synced, attempted, attemptTime,
                previous == null ? 0 : previous.applied(), previous == null ? 0 : previous.pruned(),
                previous == null ? List.of() : previous.objects(), previous == null ? List.of() : previous.orphans(),
                previous == null ? List.of() : previous.outOfSync(), List.of(), capped,
                previous == null ? 0 : previous.selfHealed(), previous == null ? Map.of() : previous.written(), 0);
    }

    private static GitSourceStatus withConflicts(GitSourceStatus s, List<String> conflicts) {
        return new GitSourceStatus(s.host(), s.observedRevision(), s.phase(), s.conditions(), s.lastError(), s.since(),
                s.lastSyncedCommit(), s.lastAttemptedCommit(), s.lastAttemptTime(), s.applied(), s.pruned(),
                s.objects(), s.orphans(), s.outOfSync(), conflicts, s.errors(), s.selfHealed(), s.written(), 0);
    }

    /** Synced (reason = phase) and Ready (the attempted commit is the applied one); times move only on flips. */
    private static List<Condition> conditions(GitSourceStatus previous, String phase, String message, boolean ready,
                                              String commit, String now) {
        Condition prevSynced = previous == null ? null : find(previous, "Synced");
        Condition prevReady = previous == null ? null : find(previous, Condition.READY);
        Condition synced = new Condition("Synced", phase.equals(GitSourceStatus.SYNCED) ? "True" : "False", phase,
                message, now).since(prevSynced, now);
        Condition readyCondition = new Condition(Condition.READY, ready ? "True" : "False",
                ready ? "CommitApplied" : "CommitNotApplied",
                commit == null ? "no commit applied yet" : "commit " + commit + " is in etcd", now).since(prevReady, now);
        return List.of(synced, readyCondition);
    }

    private static Condition find(GitSourceStatus status, String type) {
        return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElse(null);
    }

    /** Writes only when the JSON differs from what etcd holds. */
    private void write(String key, Optional<StoredValue> previous, GitSourceStatus answer) {
        GitSourceStatus status = answer.withRequestRevision(answering.getOrDefault(key, answer.requestRevision()));
        try {
            String json = JSON.writeValueAsString(status);
            if (previous.isEmpty() || !previous.get().value().equals(json)) {
                kv.put(key, json);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (StoreException e) {
            log.warn("cannot write status {}: {}", key, e.getMessage());
            throw e;
        }
    }

    public static Optional<GitSourceStatus> readStatus(String json) {
        try {
            return Optional.of(JSON.readValue(json, GitSourceStatus.class));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /**
     * A GitSource names files and environment variables of the operator that hold secrets; one pushed to a
     * repository could send them to any URL. So GitSources are applied by people only, never synced from git.
     */
    static Manifests.Loaded withoutGitSources(Manifests.Loaded loaded) {
        List<ValidationError> errors = new java.util.ArrayList<>(loaded.errors());
        for (dev.berth.crds.Resource r : loaded.resources()) {
            if (r.kind().kind().equals("GitSource")) {
                errors.add(new ValidationError(r.file(), r.line(), 1, "kind", "GitSource objects are not synced from"
                        + " git (they can read the operator's secret files); apply them with berth apply"));
            }
        }
        return new Manifests.Loaded(loaded.resources(), errors);
    }

    static String shortSha(String commit) {
        return commit == null ? "-" : commit.substring(0, Math.min(12, commit.length()));
    }

    Set<String> cachedSources() {
        return new HashSet<>(cache.keySet());
    }

    void forget(String source) {
        cache.remove(source);
    }
}
