package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.operator.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part H of issue 20: the hostile values the issue found accepted (defects 1 and 2) go through {@code berth validate}
 * as a person would run it; each must be refused in one line with file:line:column, and the forms Docker takes must
 * pass. The safe recreate behind it is StackConvergerDockerTest's (reconcilers). Figure: hostile values / refused
 * with a location / wrongly accepted, and valid forms refused.
 */
class DockerRefusalsTest {
    private static final Pattern LOCATED = Pattern.compile("^[^\\n]*\\.yaml:\\d+:\\d+: spec\\.services\\[0]\\.[^\\n]+$",
            Pattern.MULTILINE);

    /** The issue's values, each as the lines of one service after {@code - name: web}. */
    private static final Map<String, String> HOSTILE = new LinkedHashMap<>();
    private static final Map<String, String> VALID = new LinkedHashMap<>();

    static {
        HOSTILE.put("image with NUL", "image: \"nginx\\0:1\"");
        HOSTILE.put("image with spaces", "image: 'nginx :1'");
        HOSTILE.put("image in uppercase", "image: Nginx:1");
        HOSTILE.put("image of 100k characters", "image: n" + "x".repeat(100_000));
        HOSTILE.put("cpus 1e308", "image: nginx:1\n    resources: {cpus: 1e308}");
        HOSTILE.put("mistyped securityOpt", "image: nginx:1\n    securityOpt: [no-new-privilege]");
        HOSTILE.put("user with a command", "image: nginx:1\n    user: '0:0; rm -rf /'");
        HOSTILE.put("hostIp not an IP", "image: nginx:1\n    ports: [{target: 8080, published: 28091, hostIp: not-an-ip}]");
        HOSTILE.put("memory under 6m", "image: nginx:1\n    resources: {memory: 1m}");
        VALID.put("compose corpus values", "image: docker.io/library/nginx:1.27-alpine\n    user: '1000:1000'\n"
                + "    securityOpt: ['no-new-privileges:true', label=disable, 'apparmor:unconfined']\n"
                + "    resources: {cpus: 1.5, memory: 512m}\n"
                + "    ports: [{target: 80, published: 28092, hostIp: 127.0.0.1}]");
    }

    @TempDir
    Path dir;

    @Test
    void theIssuesHostileValuesAreRefusedWithTheirLocationAndValidOnesPass() throws IOException {
        List<String> wrong = new ArrayList<>();
        int located = 0;
        try {
            for (Map.Entry<String, String> c : HOSTILE.entrySet()) {
                CliRun run = validate(c.getValue());
                if (run.exit() == 0) {
                    wrong.add(c.getKey() + ": accepted");
                } else if (!LOCATED.matcher(run.err() + run.out()).find()) {
                    wrong.add(c.getKey() + ": no file:line:column in " + cut(run.err() + run.out()));
                } else {
                    located++;
                }
            }
            for (Map.Entry<String, String> c : VALID.entrySet()) {
                CliRun run = validate(c.getValue());
                if (run.exit() != 0) {
                    wrong.add(c.getKey() + ": refused: " + cut(run.err() + run.out()));
                }
            }
        } finally {
            Figures.ofRun().record(new Figure("DockerRefusalsTest", HOSTILE.size() + VALID.size(), wrong.size(),
                    "hostile values " + HOSTILE.size() + " / refused with file:line:column " + located
                            + " / wrong " + wrong.size() + " (valid forms " + VALID.size() + ")"));
        }
        assertEquals(List.of(), wrong);
    }

    private CliRun validate(String serviceLines) throws IOException {
        Path file = Files.createTempFile(dir, "stack", ".yaml");
        Files.writeString(file, """
                apiVersion: berth.dev/v1
                kind: Stack
                metadata: {name: hostile}
                spec:
                  services:
                  - name: web
                """ + "    " + serviceLines + "\n", StandardCharsets.UTF_8);
        return CliRun.raw("validate", "-f", file.toString());
    }

    private static String cut(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
