package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;
import dev.berth.crds.secret.DataRules;

import java.util.List;
import java.util.Optional;

/**
 * Where a secret or config file appears in the container. The operator bind-mounts a file it wrote at exactly this
 * path, so the path must say one place plainly: absolute (the schema), normalised, not {@code /}, and not in the
 * kernel's and runtime's own trees ({@code /proc}, {@code /sys}, {@code /dev}). A {@code key} must be a data key.
 */
public final class FileTargetCheck implements SpecCheck<StackSpec> {
    private static final List<String> RESERVED = List.of("/proc", "/sys", "/dev");

    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int s = 0; s < spec.services().size(); s++) {
            ServiceSpec service = spec.services().get(s);
            references(service.secrets(), "spec.services[" + s + "].secrets", context);
            references(service.configs(), "spec.services[" + s + "].configs", context);
        }
    }

    private static void references(List<FileReference> references, String listPath, CheckContext context) {
        for (int i = 0; i < references.size(); i++) {
            FileReference reference = references.get(i);
            String path = listPath + "[" + i + "]";
            if (reference.key() != null) {
                DataRules.keyProblem(reference.key()).ifPresent(p -> context.error(path + ".key", p));
            }
            if (reference.target() != null) {
                problem(reference.target()).ifPresent(p -> context.error(path + ".target", p));
            }
        }
    }

    /** What is wrong with an absolute target path, or empty (the compose importer asks too). */
    public static Optional<String> problem(String target) {
        if (target.equals("/")) {
            return Optional.of("the target cannot be / itself; name a file, like /run/secrets/db-password");
        }
        if (target.contains("//")) {
            return Optional.of("\"" + target + "\" has an empty segment (//); write it as "
                    + MountPaths.normalise(target));
        }
        if (target.endsWith("/")) {
            return Optional.of("\"" + target + "\" ends with /; write the path of the file (or directory) itself, "
                    + MountPaths.normalise(target));
        }
        for (String segment : target.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("\"" + target + "\" has a \"" + segment + "\" segment; write the path it means");
            }
        }
        for (String reserved : RESERVED) {
            if (MountPaths.within(target, reserved)) {
                return Optional.of("\"" + target + "\" is under " + reserved + ", which the kernel and the container "
                        + "runtime own; choose another place (secrets usually go under /run/secrets)");
            }
        }
        return Optional.empty();
    }
}
