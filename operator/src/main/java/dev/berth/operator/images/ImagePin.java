package dev.berth.operator.images;

/**
 * What one service of a stack runs on every host: {@code ref} (a digest, {@code name@sha256:...}, or for an image
 * built without a registry the local tag every host builds) for {@code image} as the spec wrote it (or the build's
 * key), valid while the service's pin {@code generation} holds. {@code host} resolved it at {@code at}.
 * The generation changes when the service's image or build changes, the stack is created again, or on
 * {@code berth restart}: then a new digest is picked; scaling or other edits keep it. {@code stackCreated} is the
 * stack's etcd create revision (0 when unknown): a pin left by a stack deleted and created again is not its own.
 */
public record ImagePin(String image, String generation, String ref, String host, String at, long stackCreated) {
    /** Without the stack's create revision (a pin written before it was recorded). */
    public ImagePin(String image, String generation, String ref, String host, String at) {
        this(image, generation, ref, host, at, 0);
    }
}
