package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** completion, explain, version --client and "did you mean": commands that read no etcd. */
class KubectlHabitsOfflineTest {
    @Test
    void completionScriptsParseAndNameTheCommands(@TempDir Path dir) throws Exception {
        for (String shell : List.of("bash", "zsh")) {
            CliRun run = CliRun.raw("completion", shell);
            assertEquals(0, run.exit(), run.err());
            for (String command : List.of("get", "apply", "explain", "version", "completion", "describe")) {
                assertTrue(run.out().contains(command), shell + " script names " + command);
            }
            assertTrue(run.out().contains("stacks") && run.out().contains("hosts"), "kinds complete after get");
            Path script = dir.resolve("berth." + shell);
            Files.writeString(script, run.out());
            Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, bash.exitValue(), output);
        }
        CliRun bad = CliRun.raw("completion", "fish");
        assertEquals(2, bad.exit());
    }

    @Test
    void explainReadsTheSchemas() {
        CliRun services = CliRun.raw("explain", "stack.spec.services");
        assertEquals(0, services.exit(), services.err());
        assertTrue(services.out().startsWith("KIND:     Stack\n"), services.out());
        assertTrue(services.out().contains("FIELD:    services <[]Object>"), services.out());
        assertTrue(services.out().contains("  image\t<string>"), services.out());
        assertTrue(services.out().contains("  name\t<string> -required-"), services.out());
        assertTrue(services.out().contains("DESCRIPTION:\n    "), services.out());

        CliRun field = CliRun.raw("explain", "st.spec.services.healthcheck.retries");
        assertEquals(0, field.exit(), field.err());
        assertTrue(field.out().contains("FIELD:    retries <integer>"), field.out());
        assertFalse(field.out().contains("FIELDS:"), field.out());

        CliRun kind = CliRun.raw("explain", "network");
        assertTrue(kind.out().contains("KIND:     Network") && kind.out().contains("  spec\t<Object> -required-"), kind.out());

        CliRun recursive = CliRun.raw("explain", "stack.spec", "--recursive");
        assertEquals(0, recursive.exit(), recursive.err());
        assertTrue(recursive.out().contains("\n    healthcheck\t<Object>\n      test\t<[]string> -required-\n"), recursive.out());

        CliRun unknown = CliRun.raw("explain", "stack.spec.servics");
        assertEquals(2, unknown.exit());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
        assertTrue(unknown.err().contains("field \"servics\" does not exist in stack.spec (did you mean services?);"
                + " valid fields: placement, services, networks"), unknown.err());
        CliRun leaf = CliRun.raw("explain", "stack.metadata.name.x");
        assertEquals(2, leaf.exit());
        assertTrue(leaf.err().contains("valid fields: none (stack.metadata.name is string)"), leaf.err());
    }

    @Test
    void suggestionsAreOnlyCloseNames() {
        CliRun typo = CliRun.raw("gte", "stacks");
        assertEquals(2, typo.exit());
        assertEquals("error: unknown command \"gte\" for \"berth\" (did you mean get?) (see berth --help)\n", typo.err());
        CliRun unrelated = CliRun.raw("xyzzy");
        assertEquals(2, unrelated.exit());
        assertFalse(unrelated.err().contains("did you mean"), unrelated.err());
        assertEquals(1, unrelated.err().lines().count(), unrelated.err());
        CliRun option = CliRun.raw("get", "stacks", "--no-header");
        assertTrue(option.err().contains("(did you mean --no-headers?)"), option.err());

        CliRun kind = CliRun.raw("get", "stakcs");
        assertEquals(2, kind.exit());
        assertTrue(kind.err().contains("unknown kind \"stakcs\" (did you mean stacks?)"), kind.err());
        CliRun far = CliRun.raw("get", "pods");
        assertFalse(far.err().contains("did you mean"), far.err());

        // One list of kinds: the error's and --help's are the same words in the same order.
        String known = kind.err().replaceAll("(?s).*\\(known: ([^)]*)\\).*", "$1").strip();
        assertEquals(String.join(", ", KindArgument.GetKinds.list()), known);
        CliRun help = CliRun.raw("get", "--help");
        assertTrue(help.out().replaceAll("\\s+", " ").contains("One of: " + known + "."), help.out());
    }

    @Test
    void closeNamesAreWithinTwoEditsOrAPrefix() {
        assertEquals(1, CloseNames.distance("stakcs", "stacks"));
        assertEquals(List.of("stacks"), CloseNames.to("stakcs", List.of("secrets", "stacks", "routes")));
        assertEquals(List.of("describe"), CloseNames.to("desc", List.of("delete", "describe", "diff")));
        assertEquals(List.of(), CloseNames.to("xyzzy", List.of("get", "apply", "diff", "drain")));
    }

    @Test
    void versionWithEtcdDownPrintsTheClientAndWhyTheOperatorsAreUnknown() throws Exception {
        CliRun run;
        try (dev.berth.operator.RefusedPort away = dev.berth.operator.RefusedPort.open()) {
            run = CliRun.raw("version", "--etcd-endpoints=" + away.httpUrl(), "--etcd-timeout=1");
        }
        assertEquals(0, run.exit(), run.out() + run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertEquals("Client Version: " + BerthVersion.current() + " (commit unknown)", lines.get(0));
        assertTrue(lines.get(1).startsWith("operators: unknown (") && lines.get(1).endsWith(")"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void versionForTheClientNeedsNoEtcd() {
        CliRun run = CliRun.raw("version", "--client");
        assertEquals(0, run.exit(), run.err());
        assertEquals("Client Version: " + BerthVersion.current() + " (commit unknown)\n", run.out());
    }
}
