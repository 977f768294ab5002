package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

/** What {@code source} means depends on the volume's type, which the schema alone cannot say. */
public final class VolumeSourceCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int s = 0; s < spec.services().size(); s++) {
            var volumes = spec.services().get(s).volumes();
            for (int v = 0; v < volumes.size(); v++) {
                VolumeSpec volume = volumes.get(v);
                String path = "spec.services[" + s + "].volumes[" + v + "]";
                switch (volume.type()) {
                    case "bind" -> {
                        if (volume.source() == null) {
                            context.error(path + ".source", "a bind volume needs a source: an absolute host path");
                        } else if (!volume.source().startsWith("/")) {
                            context.error(path + ".source", "the source of a bind volume must be an absolute host "
                                    + "path (got \"" + volume.source() + "\")");
                        }
                    }
                    case "volume" -> {
                        if (volume.source() == null) {
                            context.error(path + ".source", "a volume of type \"volume\" needs a source: "
                                    + "the name of the Docker volume");
                        }
                    }
                    case "tmpfs" -> {
                        if (volume.source() != null) {
                            context.error(path + ".source", "a tmpfs volume has no source");
                        }
                    }
                    default -> {
                        // The schema's enum already reported any other type.
                    }
                }
                if (volume.size() != null && !"tmpfs".equals(volume.type())) {
                    context.error(path + ".size", "only a tmpfs volume has a size");
                }
            }
        }
    }
}
