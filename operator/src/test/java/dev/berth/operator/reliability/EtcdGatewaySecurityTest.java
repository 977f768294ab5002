package dev.berth.operator.reliability;

import static dev.berth.operator.reliability.CliFlags.cli;
import static dev.berth.operator.reliability.CliFlags.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.CliRun;
import dev.berth.operator.StackYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reading commands go over etcd's HTTP gateway unless a client certificate is given: against an etcd with TLS and
 * users but no client certificates, {@code berth get} reads with the {@code berth} user, and each wrong setting is the
 * same one line (exit 1) the gRPC client gives, never the password.
 */
@RunsInTheFaultLane
class EtcdGatewaySecurityTest {
    private static SecureEtcd etcd;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = new SecureEtcd(false).start();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static List<String> berth() {
        return List.of("--etcd-endpoints=" + etcd.endpoint(), "--prefix=" + etcd.prefix, "--etcd-cacert=" + etcd.certs.ca,
                "--etcd-user=" + SecureEtcd.BERTH_USER, "--etcd-password-file=" + etcd.berthPassword);
    }


    @Test
    void aUserReadsOverTheGatewayAndEachWrongSettingIsTheSameOneLine() throws Exception {
        String stack = "gw-" + dev.berth.operator.TestEnv.uniqueName("s");
        Path manifest = etcd.secretFile("stack.yaml", StackYaml.stack(stack).yaml());
        assertEquals(0, cli(berth(), "apply", "-f", manifest.toString()).exit());
        CliRun get = cli(berth(), "get", "stacks");
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().contains(stack), get.out());

        String password = etcd.password(etcd.berthPassword);
        Path wrong = etcd.secretFile("wrong-password", "not-the-password");
        List<List<String>> cases = List.of(
                replace(berth(), "--etcd-password-file", wrong.toString()),
                replace(replace(berth(), "--etcd-user", SecureEtcd.NOBODY), "--etcd-password-file",
                        etcd.nobodyPassword.toString()),
                replace(berth(), "--etcd-cacert", null),
                replace(berth(), "--etcd-cacert", etcd.certs.foreignCa.toString()),
                replace(berth(), "--prefix", "/not-berths"));
        List<String> expected = List.of("refused user 'berth': wrong user name or password", "denied user 'nobody'",
                "not signed by a CA this JVM trusts", "not signed by the CA in " + etcd.certs.foreignCa,
                "denied user 'berth'");
        List<String> unclear = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            CliRun run = cli(cases.get(i), "get", "stacks");
            String err = run.err().strip();
            if (run.exit() != 1 || err.lines().count() != 1 || !err.startsWith("error: ")
                    || !err.contains(expected.get(i)) || err.contains(password) || run.out().contains(password)) {
                unclear.add(expected.get(i) + " -> exit " + run.exit() + ": " + err.replace('\n', '|'));
            }
        }
        assertEquals(List.of(), unclear);
        Files.deleteIfExists(manifest);
    }
}
