package dev.berth.crds;

/**
 * A rule about a spec that a schema cannot express (one field depending on another). Runs after the schema passed
 * and the spec was bound, so it works on the typed record; it reports through the context, which knows locations.
 */
public interface SpecCheck<S> {
    Class<S> specType();

    void check(S spec, CheckContext context);
}
