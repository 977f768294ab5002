package dev.berth.operator.cli;

import dev.berth.crds.Kinds;
import dev.berth.operator.api.ApiClient;
import dev.berth.operator.api.ApiFrames;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command in one container of a stack, on whichever host runs it, and exit with the"
                + " command's exit code (125 when it could not be run: host down, no API, token rejected).",
                "No TTY and no stdin: for commands, not shells. The replica defaults to the first running one. Goes"
                        + " through the host's operator API like berth logs."})
public final class ExecCommand implements Callable<Integer> {
    /** As docker run: the command never ran (or its end was not heard). */
    static final int NOT_RUN = 125;

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "stack/NAME/SERVICE[/REPLICA]", description = "The service, and a replica number.")
    String target;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments,"
            + " after --.")
    List<String> command;

    @picocli.CommandLine.Option(names = "--host", paramLabel = "NAME", description = "The replica on this host (a global"
            + " service runs the same replica number on every host).")
    String host;

    @Override
    public Integer call() {
        ReplicaTarget what = ReplicaTarget.parse(target, true, spec.commandLine());
        if (what.service() == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "exec needs a service: stack/NAME/SERVICE[/REPLICA], got " + target);
        }
        try (StoreSession session = new StoreSession(etcd, Kinds.standard())) {
            ApiHosts hosts = new ApiHosts(session);
            List<ApiHosts.Located> found = hosts.locate(what).stream()
                    .filter(l -> host == null || host.equals(l.host())).toList();
            ApiHosts.Located chosen = found.stream().filter(l -> "running".equals(l.replica().state()))
                    .min(java.util.Comparator.comparingInt(l -> l.replica().replica()))
                    .orElseThrow(() -> new CliException(what + (found.isEmpty() ? " has no container on "
                            + (host == null ? "any host" : "host " + host)
                            : " has no running container (" + found.get(0).replica().name() + " is "
                            + found.get(0).replica().state() + ")")));
            return run(hosts.client(chosen.host(), hosts.liveHosts()), chosen);
        } catch (CliException | ApiClient.ApiException | dev.berth.operator.store.StoreException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return NOT_RUN;
        }
    }

    private int run(ApiClient client, ApiHosts.Located chosen) {
        try (ApiClient.FrameReader reader = client.exec(chosen.replica().name(), command)) {
            ApiFrames.Frame frame;
            while ((frame = reader.next()) != null) {
                switch (frame.type()) {
                    case ApiFrames.STDOUT -> write(frame.payload(), false);
                    case ApiFrames.STDERR -> write(frame.payload(), true);
                    case ApiFrames.EXIT -> {
                        return frame.exitCode();
                    }
                    case ApiFrames.ERROR -> throw new CliException("host " + chosen.host() + ": " + frame.text());
                    default -> { }
                }
            }
            throw new CliException("host " + chosen.host() + ": the stream ended without the command's exit code");
        } catch (IOException e) {
            throw new CliException("host " + chosen.host() + ": the stream broke: " + e.getMessage());
        }
    }

    /** Bytes as the command wrote them, to picocli's writers (the terminal, or a test's capture). */
    private void write(byte[] bytes, boolean stderr) {
        java.io.PrintWriter w = stderr ? spec.commandLine().getErr() : spec.commandLine().getOut();
        w.print(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        w.flush();
    }
}
