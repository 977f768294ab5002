package dev.berth.operator.reliability.fuzz;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Says whether an accepted input was wrongly accepted. The oracle is the round trip: what Berth stores for an
 * accepted object (its text) must read back, on its own, as the same object — same kind, name, labels, annotations
 * (but the creation time apply adds to Secrets and Configs) and spec. An input whose stored text reads as something else (or not at all) was accepted with a meaning Berth
 * cannot keep: the operator would run a different object or report InvalidSpec for what apply accepted. Checks that
 * need Docker's own rules (image references, numeric ranges) are not this oracle's business.
 */
public final class FuzzOracle {
    private final ManifestParser parser = new ManifestParser(Kinds.standard());

    /** The objects an accepted input holds, as apply would write them. */
    public List<Resource> objects(FuzzInput input) {
        return parser.parse("input", input.bytes()).resources();
    }

    /** Empty when {@code stored} (the bytes at the object's key) reads back as {@code accepted}; else why not. */
    public Optional<String> roundTripProblem(Resource accepted, byte[] stored) {
        ParseResult again = parser.parse(accepted.key(), stored);
        if (!again.ok() || again.resources().size() != 1) {
            return Optional.of(accepted.key() + " as stored does not read back: " + again.errors());
        }
        Resource back = again.resources().get(0);
        if (!back.key().equals(accepted.key()) || !back.metadata().labels().equals(accepted.metadata().labels())
                || !withoutCreatedAt(back).equals(withoutCreatedAt(accepted)) || !back.spec().equals(accepted.spec())) {
            return Optional.of(accepted.key() + " reads back as a different object: " + back.spec() + " vs "
                    + accepted.spec());
        }
        return Optional.empty();
    }

    /** The annotations but the creation time {@code berth apply} adds to a new Secret or Config. */
    private static java.util.Map<String, String> withoutCreatedAt(Resource resource) {
        java.util.Map<String, String> annotations = new java.util.TreeMap<>(resource.metadata().annotations());
        annotations.remove("berth.dev/created-at");
        return annotations;
    }

    /** The round trip of an input's own objects through the text the parser keeps for them. */
    public Optional<String> roundTripProblem(FuzzInput input) {
        for (Resource r : objects(input)) {
            Optional<String> problem = roundTripProblem(r, r.yaml().getBytes(StandardCharsets.UTF_8));
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }
}
