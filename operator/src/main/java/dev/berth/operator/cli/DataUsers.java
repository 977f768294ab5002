package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.crds.Resource;
import dev.berth.crds.gitops.GitSourceSpec;
import dev.berth.crds.secret.SecretKeyRef;
import dev.berth.crds.stack.FileReference;
import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StoredObject;
import java.util.ArrayList;
import java.util.List;

/** Which stacks (and GitSources) use a Secret or Config, for describe: "stack/web: service api file /run/secrets/db". */
final class DataUsers {
    private DataUsers() {
    }

    static boolean applies(String kind) {
        return kind.equals("Secret") || kind.equals("Config");
    }

    static List<String> find(ResourceStore store, Kinds kinds, String kind, String name) {
        boolean secret = kind.equals("Secret");
        List<String> users = new ArrayList<>();
        kinds.byKind("Stack").ifPresent(stacks -> {
            for (StoredObject object : store.list(stacks)) {
                object.resource().ifPresent(r -> users.addAll(inStack(r, secret, name)));
            }
        });
        if (secret) {
            kinds.byKind("GitSource").ifPresent(sources -> {
                for (StoredObject object : store.list(sources)) {
                    object.resource().ifPresent(r -> users.addAll(inGitSource(r, name)));
                }
            });
        }
        return users;
    }

    private static List<String> inStack(Resource stack, boolean secret, String name) {
        List<String> users = new ArrayList<>();
        for (ServiceSpec service : stack.spec(StackSpec.class).services()) {
            List<String> uses = new ArrayList<>();
            for (FileReference ref : secret ? service.secrets() : service.configs()) {
                if (name.equals(ref.source())) {
                    uses.add("file " + ref.effectiveTarget(secret) + (ref.key() == null ? "" : " (key " + ref.key() + ")"));
                }
            }
            if (secret) {
                service.secretEnv().stream().filter(e -> e.secretKeyRef() != null && name.equals(e.secretKeyRef().name()))
                        .forEach(e -> uses.add("env " + e.name() + " (key " + e.secretKeyRef().key() + ")"));
            }
            if (!uses.isEmpty()) {
                users.add(stack.key() + ": service " + service.name() + ": " + String.join(", ", uses));
            }
        }
        return users;
    }

    private static List<String> inGitSource(Resource source, String name) {
        GitSourceSpec spec = source.spec(GitSourceSpec.class);
        List<String> uses = new ArrayList<>();
        if (spec.credentials() != null && refers(spec.credentials().passwordSecretRef(), name)) {
            uses.add("credentials.passwordSecretRef (key " + spec.credentials().passwordSecretRef().key() + ")");
        }
        if (spec.webhook() != null && refers(spec.webhook().secretRef(), name)) {
            uses.add("webhook.secretRef (key " + spec.webhook().secretRef().key() + ")");
        }
        return uses.isEmpty() ? List.of() : List.of(source.key() + ": " + String.join(", ", uses));
    }

    private static boolean refers(SecretKeyRef ref, String name) {
        return ref != null && name.equals(ref.name());
    }
}
