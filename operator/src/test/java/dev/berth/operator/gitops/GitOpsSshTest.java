package dev.berth.operator.gitops;

import dev.berth.operator.FreePorts;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.gitops.GitSourceStatus;
import dev.berth.operator.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GitSource over ssh against a real OpenSSH server on loopback: the key file and the known_hosts file are the
 * only identity and trust; a host key that known_hosts does not list is refused and nothing is applied.
 */
class GitOpsSshTest {
    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }


    @Test
    void syncsOverSshAndRefusesAnUnknownHostKey(@TempDir Path dir) throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("host").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("client").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("other-host").toString());
        Files.copy(keys.resolve("client.pub"), keys.resolve("authorized_keys"));
        int port = FreePorts.one();
        Path config = keys.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + keys.resolve("host"),
                "AuthorizedKeysFile " + keys.resolve("authorized_keys"), "PidFile " + keys.resolve("sshd.pid"),
                "StrictModes no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password", "UsePAM no", "") );
        Files.createDirectories(Path.of("/run/sshd"));
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(keys.resolve("sshd.log").toFile()).start();
        try (GitOpsTestBed h = new GitOpsTestBed()) {
            Await.until(GitOpsTestBed.WAIT, "sshd on port " + port, () -> {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            String hostKey = Files.readString(keys.resolve("host.pub")).trim().split(" ")[0] + " "
                    + Files.readString(keys.resolve("host.pub")).trim().split(" ")[1];
            Path knownHosts = keys.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostKey + "\n");
            String otherKey = Files.readString(keys.resolve("other-host.pub")).trim().split(" ")[0] + " "
                    + Files.readString(keys.resolve("other-host.pub")).trim().split(" ")[1];
            Path wrongKnownHosts = keys.resolve("wrong_known_hosts");
            Files.writeString(wrongKnownHosts, "[127.0.0.1]:" + port + " " + otherKey + "\n");

            TestRepo repo = new TestRepo(dir.resolve("repo"));
            String a = h.name("ssh");
            repo.write("stacks/a.yaml", h.stack(a, 1));
            String commit = repo.commit("a");
            String url = "ssh://root@127.0.0.1:" + port + repo.origin;
            h.startOperator("host-" + h.instance);

            String wrong = h.name("wrong");
            h.apply(h.gitSource(wrong, url, "interval: 1s\ncredentials: {sshKeyFile: " + keys.resolve("client")
                    + ", knownHostsFile: " + wrongKnownHosts + "}"));
            Await.until(GitOpsTestBed.WAIT, "a changed host key refused", () -> h.status(wrong)
                    .map(s -> s.phase().equals(GitSourceStatus.FAILED)).orElse(false), () -> h.describe(wrong));
            assertTrue(h.stored("stack", a).isEmpty(), "nothing applied from an untrusted server");

            String src = h.name("src");
            h.apply(h.gitSource(src, url, "interval: 1s\ncredentials: {sshKeyFile: " + keys.resolve("client")
                    + ", knownHostsFile: " + knownHosts + "}"));
            h.awaitSynced(src, commit);
            assertTrue(h.stored("stack", a).isPresent(), "the stack came over ssh");
            assertTrue(h.status(wrong).map(s -> String.valueOf(s.lastError())).orElse("").toLowerCase().contains("key"),
                    "the refusal names the key: " + h.describe(wrong));
        } finally {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
