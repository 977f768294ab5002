package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees on stderr when etcd is unreachable, from a real `berth` process: its logging configured as
 * shipped (logback.xml, not the tests' logback-test.xml), so jetcd's retry warnings would show if they leaked.
 */
class CliStderrTest {
    /** The test class path without the test classes (which carry logback-test.xml). */
    private static String mainClassPath() {
        String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(all.split(File.pathSeparator))
                .filter(p -> !p.replace('\\', '/').replaceAll("/$", "").endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void anUnreachableEtcdIsOneLineOnStderrAndFailsWithinTheTimeout(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", mainClassPath(), BerthMain.class.getName(), "get", "stacks",
                "--etcd-endpoints", "127.0.0.1:" + port, "--etcd-timeout", "2"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        builder.environment().remove("BERTH_LOG_LEVEL");
        builder.environment().remove("BERTH_CLIENT_LOG_LEVEL");
        builder.environment().remove("BERTH_LOG_FORMAT");
        Process process = builder.start();
        // bound: JVM start-up plus the 2 s retry bound, with room for a loaded machine
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the command ends");
        String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("error: etcd at http://127.0.0.1:" + port + " "), err);
    }
}
