package dev.berth.crds.stack;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a service's image comes from: {@code image}, {@code build}, or both (then {@code image} is the repository
 * the built image is pushed to). The reference must be one Docker takes; an absolute build context must name one
 * folder plainly (a relative one may climb: the operator bounds it by the GitSource's checkout when it builds); a built image is never pulled, so
 * {@code imagePullPolicy: Never} with {@code build} says two things at once.
 */
public final class ImageCheck implements SpecCheck<StackSpec> {
    @Override
    public Class<StackSpec> specType() {
        return StackSpec.class;
    }

    @Override
    public void check(StackSpec spec, CheckContext context) {
        for (int s = 0; s < spec.services().size(); s++) {
            ServiceSpec service = spec.services().get(s);
            String path = "spec.services[" + s + "]";
            if (service.image() == null && service.build() == null) {
                context.error(path, "service \"" + service.name() + "\" needs image (what to run, like nginx:1.27) "
                        + "or build (a Dockerfile's folder to build it from)");
                continue;
            }
            if (service.image() != null) {
                ImageReference.problem(service.image()).ifPresent(p -> context.error(path + ".image", p));
            }
            if (service.build() != null) {
                build(service.build(), path + ".build", context);
                if (ServiceSpec.PULL_NEVER.equals(service.imagePullPolicy())) {
                    context.error(path + ".imagePullPolicy", "imagePullPolicy: Never with build: a built image is "
                            + "never pulled anyway (Berth builds it, or pulls it from the registry it pushed it to); "
                            + "drop one of the two");
                }
            }
        }
    }

    private static void build(BuildSpec build, String path, CheckContext context) {
        if (build.context() != null) {
            contextProblem(build.context()).ifPresent(p -> context.error(path + ".context", p));
        }
        dockerfileProblem(build.dockerfile()).ifPresent(p -> context.error(path + ".dockerfile", p));
    }

    /** What is wrong with a build context, or empty (the compose importer asks too). */
    public static Optional<String> contextProblem(String context) {
        if (context.isBlank()) {
            return Optional.of("the build context is empty; give the folder that holds the Dockerfile");
        }
        if (context.startsWith("/")) {
            if (context.equals("/")) {
                return Optional.of("the build context cannot be / itself (every file of the host would be sent to "
                        + "the build); name the folder that holds the Dockerfile");
            }
            String normalised = normalisedAbsolute(context);
            if (!normalised.equals(stripTrailingSlash(context))) {
                return Optional.of("\"" + context + "\" is not a plain path (it has '.', '..' or an empty segment); "
                        + "write it as " + normalised);
            }
            return Optional.empty();
        }
        // '..' is fine (Compose's "context: .." next to a compose file in deploy/): whether it stays inside the
        // GitSource's checkout depends on the manifest's folder, which only the operator knows (BuildFailed there).
        return Optional.empty();
    }

    /** What is wrong with a Dockerfile path (relative to the context), or empty. */
    public static Optional<String> dockerfileProblem(String dockerfile) {
        if (dockerfile.startsWith("/")) {
            return Optional.of("\"" + dockerfile + "\" is absolute; the Dockerfile is named relative to the build "
                    + "context, like Dockerfile or docker/Dockerfile.prod");
        }
        if (climbs(dockerfile)) {
            return Optional.of("\"" + dockerfile + "\" leaves the build context ('..' beyond its start); the "
                    + "Dockerfile must be inside the context");
        }
        return Optional.empty();
    }

    /** Whether a relative path goes above where it starts at some point. */
    private static boolean climbs(String relative) {
        int depth = 0;
        for (String segment : relative.split("/")) {
            if (segment.equals("..")) {
                depth--;
                if (depth < 0) {
                    return true;
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    private static String normalisedAbsolute(String path) {
        List<String> out = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
            } else {
                out.add(segment);
            }
        }
        return "/" + String.join("/", out);
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
