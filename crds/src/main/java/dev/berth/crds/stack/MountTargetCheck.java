package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

import java.util.ArrayList;
import java.util.List;

/**
 * One place in a container holds one mount. Two mounts at one target fail at container creation ("duplicate mount
 * point"), and a secret or config file inside a volume (or a volume inside a secret's directory) hides one behind
 * the other depending on mount order, so both are refused here. Volumes inside volumes stay allowed: Docker mounts
 * them in path order and people rely on it.
 */
public final class MountTargetCheck implements SpecCheck<StackSpec> {
    /** One mount of a service: what a message calls it, where it was written, and its normalised target. */
    private record Mount(String noun, String path, String target, boolean volume, boolean defaulted) {
        String described() {
            return noun + " (" + path + (defaulted ? ", default target" : "") + ")";
        }
    }

    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int s = 0; s < spec.services().size(); s++) {
            List<Mount> mounts = mounts(spec.services().get(s), "spec.services[" + s + "]");
            for (int j = 0; j < mounts.size(); j++) {
                Mount later = mounts.get(j);
                for (int i = 0; i < j; i++) {
                    Mount earlier = mounts.get(i);
                    if (clash(earlier, later, context) || clash(later, earlier, context)) {
                        break; // one message per mount is enough
                    }
                }
            }
        }
    }

    /** Reports {@code inner} when it is at or inside {@code outer} in a way that is refused; true when it did. */
    private static boolean clash(Mount outer, Mount inner, CheckContext context) {
        String at = inner.path() + ".target";
        if (inner.target().equals(outer.target())) {
            context.error(at, "target " + inner.target() + " is also the target of " + outer.described()
                    + " at line " + context.line(outer.path() + ".target") + "; a place holds one mount");
            return true;
        }
        if ((outer.volume() && inner.volume()) || !MountPaths.within(inner.target(), outer.target())) {
            return false;
        }
        String why = inner.volume()
                ? "a volume cannot be mounted inside a " + outer.noun() + "'s file or directory"
                : "a " + inner.noun() + " file cannot be mounted inside another mount; choose a target outside it";
        context.error(at, "target " + inner.target() + " is inside " + outer.target() + ", the target of "
                + outer.described() + " at line " + context.line(outer.path() + ".target") + ": " + why);
        return true;
    }

    private static List<Mount> mounts(ServiceSpec service, String servicePath) {
        List<Mount> mounts = new ArrayList<>();
        for (int v = 0; v < service.volumes().size(); v++) {
            VolumeSpec volume = service.volumes().get(v);
            if (volume.target() != null) {
                mounts.add(new Mount("volume", servicePath + ".volumes[" + v + "]",
                        MountPaths.normalise(volume.target()), true, false));
            }
        }
        files(service.secrets(), true, servicePath, mounts);
        files(service.configs(), false, servicePath, mounts);
        return mounts;
    }

    private static void files(List<FileReference> references, boolean secret, String servicePath, List<Mount> mounts) {
        String noun = secret ? "secret" : "config";
        for (int i = 0; i < references.size(); i++) {
            FileReference reference = references.get(i);
            boolean defaulted = reference.target() == null || reference.target().isBlank();
            if (!defaulted && FileTargetCheck.problem(reference.target()).isPresent()) {
                continue; // reported by FileTargetCheck; compared, it would only echo that message
            }
            mounts.add(new Mount(noun, servicePath + "." + noun + "s[" + i + "]",
                    MountPaths.normalise(reference.effectiveTarget(secret)), false, defaulted));
        }
    }
}
