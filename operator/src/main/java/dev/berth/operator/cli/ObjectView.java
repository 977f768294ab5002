package dev.berth.operator.cli;

import dev.berth.crds.status.ObjectStatus;
import dev.berth.operator.store.ResourceStore;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import java.util.ArrayList;
import java.util.List;

/**
 * An object with the status every host reported for it, and the cluster's hosts and assignments to judge those
 * rows by (a row from a host that is not alive is Unknown): what get and describe show.
 */
record ObjectView(StoredObject object, List<ObjectStatus> statuses, Cluster cluster) {
    static ObjectView load(ResourceStore store, StoredObject object, StatusCodec codec, Cluster cluster) {
        List<ObjectStatus> statuses = new ArrayList<>();
        for (StoredValue value : store.statuses(object.kind(), object.name())) {
            codec.read(value.value()).ifPresent(statuses::add);
        }
        return new ObjectView(object, statuses, cluster);
    }

    /** The object's metadata.labels (what -l selects on); none for a stored text that does not parse. */
    java.util.Map<String, String> labels() {
        return object.resource().map(r -> r.metadata().labels()).orElse(java.util.Map.of());
    }
}
