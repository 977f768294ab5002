package dev.berth.operator.secrets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.berth.operator.Manifest;
import dev.berth.operator.TestOperator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Key files, encrypted Secret manifests and looks into containers, for the Secret and Config tests. */
final class SecretBed {
    private SecretBed() {
    }

    /** A key file with one new key (0600), deleted with the JVM. */
    static Path keyFile(String... lines) {
        try {
            Path file = Files.createTempFile("berth-key-", ".txt",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            Files.writeString(file, (lines.length == 0 ? SecretKeyring.newKeyLine() : String.join("\n", lines)) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SecretKeyring keyring(Path file) {
        try {
            return SecretKeyring.load(file);
        } catch (SecretKeyException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** A Secret manifest as etcd holds it: every value encrypted with the keyring's newest key. */
    static String secret(SecretKeyring keyring, String name, Map<String, String> values) {
        StringBuilder spec = new StringBuilder("encryptedData:\n");
        new java.util.TreeMap<>(values).forEach((k, v) -> spec.append("  ").append(k).append(": \"")
                .append(keyring.encrypt(name, k, v.getBytes(StandardCharsets.UTF_8))).append("\"\n"));
        return Manifest.of("Secret", name, spec.toString());
    }

    static String config(String name, Map<String, String> values) {
        StringBuilder spec = new StringBuilder("data:\n");
        new LinkedHashMap<>(values).forEach((k, v) -> spec.append("  ").append(k).append(": \"").append(v).append("\"\n"));
        return Manifest.of("Config", name, spec.toString());
    }

    /** The single container of a stack. */
    static Container only(TestOperator h, String stack) {
        var all = h.containers(stack);
        if (all.size() != 1) {
            throw new AssertionError("expected one container of " + stack + ", got " + all.size());
        }
        return all.get(0);
    }

    /** Runs a command in a container as {@code user} (null: the image's) and returns its standard output. */
    static String exec(TestOperator h, String container, String user, String... command) {
        var create = h.docker.execCreateCmd(container).withCmd(command).withAttachStdout(true).withAttachStderr(true);
        if (user != null) {
            create.withUser(user);
        }
        ExecCreateCmdResponse exec = create.exec();
        StringBuilder out = new StringBuilder();
        try {
            h.docker.execStartCmd(exec.getId()).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** Everything docker inspect says about a container, as JSON. */
    static String inspectJson(TestOperator h, String container) {
        InspectContainerResponse inspect = h.docker.inspectContainerCmd(container).exec();
        try {
            return new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(inspect);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The host path bind-mounted at {@code target} in the container. */
    static Path mountSource(TestOperator h, String container, String target) {
        InspectContainerResponse inspect = h.docker.inspectContainerCmd(container).exec();
        return inspect.getMounts().stream().filter(m -> m.getDestination() != null
                        && target.equals(m.getDestination().getPath())).map(m -> Path.of(m.getSource())).findFirst()
                .orElseThrow(() -> new AssertionError("no mount at " + target + " in " + container));
    }

    /** Every value stored under the test's etcd prefix (desired objects, status, assignments...), as one text. */
    static String etcdDump(TestOperator h) {
        StringBuilder all = new StringBuilder();
        h.etcd.kv.list(h.keys().base()).values().forEach(v -> all.append(v.key()).append('=').append(v.value()).append('\n'));
        return all.toString();
    }

    /** The same, read the way an operator of etcd would: {@code etcdctl get --prefix}, every key and value raw. */
    static String etcdctlDump(TestOperator h) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("etcdctl", "--endpoints", h.etcdEndpoints, "get", "--prefix",
                h.keys().base()).redirectErrorStream(true);
        pb.environment().remove("ETCDCTL_ENDPOINTS"); // etcdctl refuses the flag and the variable together
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("etcdctl failed: " + out);
        }
        return out;
    }
}
