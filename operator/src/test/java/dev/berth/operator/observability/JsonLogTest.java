package dev.berth.operator.observability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.Await;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * BERTH_LOG_FORMAT=json on the real command line: `berth operator` in its own JVM, with the shipped logback.xml,
 * writes one JSON object per line, and a reconcile's lines carry the object key in mdc.object.
 */
class JsonLogTest {
    @Test
    void operatorLogsOneJsonObjectPerLineWithTheObjectKey() throws Exception {
        try (TestOperator env = TestOperator.create()) { // not started: its etcd prefix, instance and cleanup
            Path log = Files.createTempFile("berth-json-log-", ".log");
            List<String> command = env.processCommand(env.host,
                    List.of("-Dlogback.configurationFile=logback.xml", "-Dapi.version=1.41"),
                    "--listen", "127.0.0.1:0", "--resync", "5");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("BERTH_LOG_FORMAT", "json");
            pb.environment().put("BERTH_LOG_LEVEL", "INFO");
            String stack = env.name("json");
            env.apply(StackYaml.stack(stack).yaml()); // before the JVM starts: the first list finds it
            Process operator = pb.start();
            try {
                Await.until(Duration.ofSeconds(90), "a JSON log line about stack/" + stack,
                        () -> read(log).lines().anyMatch(l -> l.contains("\"object\"") && objectOf(l).equals("stack/" + stack)),
                        () -> tail(log));
                env.awaitReady(stack, 1);
            } finally {
                operator.destroy();
                if (!operator.waitFor(30, TimeUnit.SECONDS)) {
                    operator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            ObjectMapper json = new ObjectMapper();
            int aboutStack = 0;
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event;
                try {
                    event = json.readTree(line);
                } catch (Exception e) {
                    throw new AssertionError("not one JSON object per line: " + line, e);
                }
                assertTrue(event.has("timestamp") && event.has("level") && event.has("loggerName")
                        && event.has("formattedMessage"), line);
                if (("stack/" + stack).equals(event.path("mdc").path("object").asText())) {
                    aboutStack++;
                }
            }
            assertTrue(aboutStack >= 2, "reconcile lines carrying mdc.object=stack/" + stack + ": " + aboutStack);
            Files.deleteIfExists(log);
        }
    }

    /** mdc.object of one JSON line (the encoder escapes "/" as "\\/"), or "". */
    private static String objectOf(String line) {
        try {
            return new ObjectMapper().readTree(line).path("mdc").path("object").asText();
        } catch (Exception e) {
            return "";
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
