package dev.berth.operator.images;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.operator.store.StoredObject;

/**
 * Builds the images of services with a {@code build}, never blocking a reconcile pass. For a service whose
 * {@code image} names a registry, one host builds (a claim in etcd, released with its lease), pushes, and returns
 * the pushed digest ({@code repo@sha256:...}); the other hosts are told InProgress meanwhile and later pull the pin.
 * Without a registry, each host builds for itself and gets the local tag. The tag carries a hash of the context, so
 * an unchanged context is never built again. {@code onDone} runs when a build this call started or waits for ends.
 */
public interface ImageBuilds {
    ImageState image(StoredObject stack, ServiceSpec service, Runnable onDone);
}
