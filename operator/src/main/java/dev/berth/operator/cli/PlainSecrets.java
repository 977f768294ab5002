package dev.berth.operator.cli;

import dev.berth.crds.secret.SecretSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code get -o yaml|json} prints a Secret's stored text, which berth only ever writes encrypted. A Secret written
 * around berth (etcdctl) may hold plain values, or text that does not parse and so cannot be told safe: such a
 * Secret is named on stderr instead of printed.
 */
final class PlainSecrets {
    private PlainSecrets() {
    }

    static List<ObjectView> withheld(List<ObjectView> views, PrintWriter err) {
        List<ObjectView> shown = new ArrayList<>();
        for (ObjectView view : views) {
            boolean secret = view.object().kind().kind().equals(SecretSealer.SECRET);
            boolean safe = !secret || view.object().resource()
                    .map(r -> !r.spec(SecretSpec.class).hasPlainValues()).orElse(false);
            if (safe) {
                shown.add(view);
            } else {
                err.println(view.object().key() + " is not shown: it holds plain values or does not parse (written"
                        + " around berth apply); write it again with berth apply");
            }
        }
        err.flush();
        return shown;
    }
}
