package dev.berth.operator.cli;

import dev.berth.crds.stack.ServiceSpec;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.images.ImagePin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The "Images" section of {@code berth describe stack}: what each service runs on every host (the pin the first host
 * resolved), as the spec wrote it and as it was pinned, by which host and when. A service not pinned yet (no host
 * has needed its image, or it runs an image without a registry digest) says so.
 */
final class PinnedImages {
    private PinnedImages() {
    }

    static void print(ObjectView view, Map<String, ImagePin> pins, PrintWriter out) {
        Set<String> services = new LinkedHashSet<>();
        view.object().resource().map(r -> r.spec(StackSpec.class))
                .ifPresent(s -> s.services().stream().map(ServiceSpec::name).forEach(services::add));
        services.addAll(pins.keySet());
        if (services.isEmpty()) {
            return;
        }
        out.println("Images:");
        Table table = new Table("SERVICE", "IMAGE", "PINNED", "HOST", "AT");
        for (String service : services) {
            ImagePin pin = pins.get(service);
            if (pin == null) {
                table.row(service, written(view, service), "(not pinned)", "", "");
            } else {
                table.row(service, pin.image(), pin.ref(), pin.host(), pin.at());
            }
        }
        StringWriter text = new StringWriter();
        table.print(new PrintWriter(text));
        text.toString().lines().forEach(line -> out.println("  " + line));
    }

    /** The image as the spec writes it; a build without an image shows where it builds from. */
    private static String written(ObjectView view, String service) {
        return view.object().resource().map(r -> r.spec(StackSpec.class)).flatMap(s -> s.services().stream()
                .filter(x -> x.name().equals(service)).findFirst())
                .map(x -> x.image() != null ? x.image() : "build " + x.build().context())
                .orElse("");
    }
}
