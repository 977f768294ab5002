package dev.berth.operator.store;

import dev.berth.crds.ObjectKey;
import dev.berth.crds.KindDef;
import dev.berth.crds.Resource;
import dev.berth.crds.ValidationError;
import java.util.List;
import java.util.Optional;

/**
 * A desired object as stored in etcd. {@code resource} is empty when the stored YAML does not parse or
 * validate (someone wrote it with etcdctl); {@code errors} then says why, with line and column.
 */
public record StoredObject(KindDef kind, String name, StoredValue raw, Optional<Resource> resource,
                           List<ValidationError> errors) {
    public StoredObject {
        errors = List.copyOf(errors);
    }

    public ObjectKey key() {
        return new ObjectKey(kind.singular(), name);
    }

    public boolean valid() {
        return resource.isPresent();
    }
}
