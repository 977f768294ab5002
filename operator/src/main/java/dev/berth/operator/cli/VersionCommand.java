package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.Kinds;
import dev.berth.operator.control.HostRecord;
import dev.berth.operator.store.StoreException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth version}: this client's version and commit, and the version each live host's operator reports. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = {"Print the client's version (and git commit when the build knew it) and, unless --client, the"
                + " version of the operator on each live host (from its host record in etcd).",
                "When etcd cannot be read, the client's version and \"operators: unknown (why)\"; exit 0."})
public final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Option(names = "--client", description = "Only the client; etcd is not read.")
    boolean clientOnly;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json for a JSON document; default text.")
    String output;

    @Override
    public Integer call() throws Exception {
        if (output != null && !output.equals("json")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "unknown output format \"" + output + "\" for version (known: json)");
        }
        Map<String, String> operators = new TreeMap<>();
        String unread = null;
        if (!clientOnly) {
            try (StoreSession session = StoreSession.reading(etcd, Kinds.standard())) {
                for (HostRecord host : ClusterReader.read(session).live().values()) {
                    operators.put(host.name(), host.version() == null ? "unknown" : host.version());
                }
            } catch (StoreException | CliException e) {
                // the client's version is still an answer (kubectl prints it with the server down): say why, exit 0
                unread = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        String commit = BerthVersion.commit().orElse("unknown");
        if (output != null) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = mapper.createObjectNode();
            root.putObject("clientVersion").put("version", BerthVersion.current()).put("gitCommit", commit);
            if (unread != null) {
                root.put("operatorError", unread);
            } else if (!clientOnly) {
                root.set("operatorVersions", mapper.valueToTree(operators));
            }
            out.println(mapper.writeValueAsString(root));
        } else {
            out.println("Client Version: " + BerthVersion.current() + " (commit " + commit + ")");
            if (unread != null) {
                out.println("operators: unknown (" + unread + ")");
            } else if (!clientOnly) {
                if (operators.isEmpty()) {
                    out.println("Operator Versions: no live hosts");
                }
                operators.forEach((host, version) -> out.println("Operator Version: " + host + " " + version));
            }
        }
        out.flush();
        return 0;
    }
}
