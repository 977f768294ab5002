package dev.berth.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ObjectKey;
import dev.berth.crds.ObjectSetCheck;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import dev.berth.operator.store.EtcdKv;
import dev.berth.operator.store.StoredValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides, without I/O, what a commit changes in etcd. Ownership is the {@code berth.dev/gitsource} annotation of
 * the stored text. An owned object whose content differs from the commit is either a change in git (the commit's
 * text differs from what this source last wrote: apply) or a hand edit (same text in git: self-heal, or report).
 * Content is compared as canonical JSON without the two GitOps annotations, so a comment or key order in git, or a
 * new commit that leaves a file alone, writes nothing. The commit must also pass the check across objects against
 * what stays in etcd (a pruned object no longer counts); when it does not, the plan says so and nothing is written.
 */
public final class SyncPlanner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One object of the commit: its key, its etcd key, the annotated text to store and the resource as the commit
     * wrote it (its file and line point into the commit; it means what the annotated text means).
     */
    public record Desired(String key, String etcdKey, String text, Resource resource) {
    }

    /** One stored object: key, etcd key and value (text and revisions). */
    public record Current(String key, StoredValue value) {
    }

    private SyncPlanner() {
    }

    public static SyncPlan plan(String source, boolean prune, boolean selfHeal, boolean force, List<Desired> desired,
                                Map<String, Current> current, Map<String, String> previouslyWritten,
                                ManifestParser parser, ObjectSetCheck setCheck) {
        List<EtcdKv.Guard> guards = new ArrayList<>();
        List<EtcdKv.Write> writes = new ArrayList<>();
        List<String> created = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> healed = new ArrayList<>();
        List<String> pruned = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        List<String> outOfSync = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        Map<String, String> written = new TreeMap<>();
        Set<String> declared = new HashSet<>();
        for (Desired d : desired) {
            declared.add(d.key());
            String wanted = contentHash(d.resource());
            written.put(d.key(), wanted);
            Current cur = current.get(d.key());
            if (cur == null) {
                guards.add(new EtcdKv.Guard(d.etcdKey(), 0));
                writes.add(new EtcdKv.Write(d.etcdKey(), d.text()));
                created.add(d.key());
                continue;
            }
            guards.add(new EtcdKv.Guard(d.etcdKey(), cur.value().modRevision()));
            String owner = GitAnnotations.read(cur.value().value()).get(GitAnnotations.SOURCE);
            if (!source.equals(owner)) {
                if (force) {
                    writes.add(new EtcdKv.Write(d.etcdKey(), d.text()));
                    changed.add(d.key());
                } else {
                    conflicts.add(d.key() + (owner == null ? " (applied by hand, not by a GitSource)"
                            : " (belongs to gitsource/" + owner + ")"));
                }
                continue;
            }
            String stored = storedHash(cur.value(), parser);
            if (wanted.equals(stored) && buildsFromCheckout(d.resource())
                    && !sameCheckout(d.text(), cur.value().value())) {
                // its image is built from files of the commit: a new commit must reach it even when the manifest
                // itself did not change (an unchanged context is not built again: the tag hashes the context)
                writes.add(new EtcdKv.Write(d.etcdKey(), d.text()));
                changed.add(d.key());
            } else if (wanted.equals(stored)) {
                unchanged.add(d.key());
            } else if (wanted.equals(previouslyWritten.get(d.key()))) {
                if (selfHeal) {
                    writes.add(new EtcdKv.Write(d.etcdKey(), d.text()));
                    healed.add(d.key());
                } else {
                    outOfSync.add(d.key());
                }
            } else {
                writes.add(new EtcdKv.Write(d.etcdKey(), d.text()));
                changed.add(d.key());
            }
        }
        for (Current cur : new TreeMap<>(current).values()) {
            if (declared.contains(cur.key())
                    || !source.equals(GitAnnotations.read(cur.value().value()).get(GitAnnotations.SOURCE))) {
                continue;
            }
            if (prune) {
                guards.add(new EtcdKv.Guard(cur.value().key(), cur.value().modRevision()));
                writes.add(new EtcdKv.Write(cur.value().key(), null));
                pruned.add(cur.key());
            } else {
                orphans.add(cur.key());
            }
        }
        List<ValidationError> invalid = setCheck.check(desired.stream().map(Desired::resource).toList(),
                staying(current, declared, pruned, setCheck, parser));
        return new SyncPlan(guards, writes, created, changed, healed, pruned, unchanged, orphans, outOfSync,
                conflicts, invalid, written);
    }

    /** The stored objects of the kinds the check reads that stay in etcd after this plan. */
    private static List<Resource> staying(Map<String, Current> current, Set<String> declared, List<String> pruned,
                                          ObjectSetCheck setCheck, ManifestParser parser) {
        List<Resource> staying = new ArrayList<>();
        for (Current cur : current.values()) {
            boolean read = ObjectKey.tryParse(cur.key()).map(k -> setCheck.kinds().contains(k.kind())).orElse(false);
            if (!read || declared.contains(cur.key()) || pruned.contains(cur.key())) {
                continue;
            }
            // An object that does not parse is reported where it is read; it cannot clash with anything.
            ParseResult parsed = parser.parse(cur.value().key(), cur.value().value());
            if (parsed.ok() && parsed.resources().size() == 1) {
                staying.add(parsed.resources().get(0));
            }
        }
        return staying;
    }

    /** A Stack with a service built from a context in the repository (a relative {@code build.context}). */
    static boolean buildsFromCheckout(Resource resource) {
        return resource.spec() instanceof dev.berth.crds.stack.StackSpec stack && stack.services().stream()
                .anyMatch(s -> s.build() != null && !s.build().onHosts());
    }

    private static boolean sameCheckout(String wantedText, String storedText) {
        Map<String, String> wanted = GitAnnotations.read(wantedText);
        Map<String, String> stored = GitAnnotations.read(storedText);
        return Objects.equals(wanted.get(GitAnnotations.COMMIT), stored.get(GitAnnotations.COMMIT))
                && Objects.equals(wanted.get(GitAnnotations.PATH), stored.get(GitAnnotations.PATH));
    }

    /** The object's meaning without the GitOps annotations: equal hashes mean nothing to write. */
    public static String contentHash(Resource resource) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(resource.canonicalJson());
            JsonNode annotations = root.path("metadata").path("annotations");
            if (annotations instanceof ObjectNode a) {
                a.remove(GitAnnotations.SOURCE);
                a.remove(GitAnnotations.COMMIT);
                a.remove(GitAnnotations.PATH);
                if (a.isEmpty()) {
                    ((ObjectNode) root.get("metadata")).remove("annotations");
                }
            }
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String storedHash(StoredValue value, ManifestParser parser) {
        ParseResult parsed = parser.parse(value.key(), value.value());
        if (!parsed.ok() || parsed.resources().size() != 1) {
            return "invalid@" + value.modRevision();
        }
        return contentHash(parsed.resources().get(0));
    }

    static boolean same(String a, String b) {
        return Objects.equals(a, b);
    }
}
