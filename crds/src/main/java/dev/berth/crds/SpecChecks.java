package dev.berth.crds;

import dev.berth.crds.secret.ConfigCheck;
import dev.berth.crds.secret.RegistrySecretCheck;
import dev.berth.crds.secret.SecretCheck;
import dev.berth.crds.stack.DependsOnCheck;
import dev.berth.crds.stack.FileTargetCheck;
import dev.berth.crds.stack.ImageCheck;
import dev.berth.crds.stack.MountTargetCheck;
import dev.berth.crds.stack.PlacementCheck;
import dev.berth.crds.stack.PublishedPortCheck;
import dev.berth.crds.stack.ReservationCheck;
import dev.berth.crds.stack.SecretEnvCheck;
import dev.berth.crds.stack.VolumeSourceCheck;

import java.util.List;

/** The cross-field checks of every kind; a new kind with such rules adds its checks here. */
public final class SpecChecks {
    private SpecChecks() {
    }

    public static List<SpecCheck<?>> standard() {
        // Errors are reported in file order whatever the order of the checks.
        return List.of(new SecretCheck(), new RegistrySecretCheck(), new ConfigCheck(), new ImageCheck(), new FileTargetCheck(), new MountTargetCheck(),
                new SecretEnvCheck(),
                new VolumeSourceCheck(), new PublishedPortCheck(), new DependsOnCheck(), new PlacementCheck(),
                new dev.berth.crds.stack.ServiceNamesCheck(), new dev.berth.crds.stack.UpdateStrategyCheck(),
                new dev.berth.crds.stack.DockerBuiltInNetworkCheck(),
                new ReservationCheck(), new dev.berth.crds.stack.ContainerOptionsCheck(),
                new dev.berth.crds.stack.DockerValuesCheck(),
                new dev.berth.crds.network.NetworkRangeCheck(),
                new dev.berth.crds.route.RouteCheck(), new dev.berth.crds.gitops.GitSourceCheck());
    }

    /** Runs the checks that apply to this spec's type. */
    static void run(List<SpecCheck<?>> checks, Object spec, CheckContext context) {
        for (SpecCheck<?> check : checks) {
            runOne(check, spec, context);
        }
    }

    private static <S> void runOne(SpecCheck<S> check, Object spec, CheckContext context) {
        if (check.specType().isInstance(spec)) {
            check.check(check.specType().cast(spec), context);
        }
    }
}
