package dev.berth.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Stack manifests for tests, e.g. {@code StackYaml.stack(name).replicas(2).with("env: {A: b}").yaml()}. Every
 * service starts as the test image serving HTTP on 8080 (busybox httpd, with init so it stops at once); a stack that
 * declares no service with {@link #service(String)} has one called "web". The service methods change the last
 * service; {@code with(...)} takes any other service fields as YAML, written after the ones the builder knows.
 */
public final class StackYaml {
    /** busybox httpd on 8080, serving /www. */
    private static final List<String> HTTPD = List.of("httpd", "-f", "-p", "8080", "-h", "/www");

    /**
     * Service fields: a health check of the httpd on 8080 every second, and an update that waits up to 20 s for the
     * replacement to be healthy (so a new revision is Ready only a few seconds after the old one stopped counting).
     */
    public static final String HTTP_HEALTH = """
            healthcheck:
              test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"]
              interval: 1s
              retries: 2
            update: {drain: 1s, healthTimeout: 20s}
            """;

    private final String name;
    private final List<String> metadata = new ArrayList<>();
    private String placement;
    private boolean global;
    private final List<String> networks = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();

    private static final class Service {
        final String name;
        String image = TestEnv.testImage();
        List<String> command = HTTPD;
        boolean init = true;
        Integer replicas;
        final List<String> fields = new ArrayList<>();

        Service(String name) {
            this.name = name;
        }
    }

    private StackYaml(String name) {
        this.name = name;
    }

    public static StackYaml stack(String name) {
        return new StackYaml(name);
    }

    /** A line under metadata, after the name (labels, annotations, a comment). */
    public StackYaml metadata(String line) {
        metadata.add(line);
        return this;
    }

    /** Runs only on these hosts. */
    public StackYaml onHosts(List<String> hosts) {
        return placement("{hosts: [" + String.join(", ", hosts) + "]}");
    }

    /** The placement as flow YAML, e.g. {@code {hostSelector: {role: db}}}. */
    public StackYaml placement(String flow) {
        this.placement = flow;
        return this;
    }

    /**
     * {@code mode: global}: every eligible host (all, or those {@link #onHosts} names) runs {@code replicas}
     * containers of each service. Without it {@code replicas} counts containers in the cluster, placed by the
     * scheduler, so a test that wants a container on each of several hosts says so here.
     */
    public StackYaml global() {
        this.global = true;
        return this;
    }

    /** Networks the stack declares (its services join them with {@code networks(...)}). */
    public StackYaml declaresNetworks(String... names) {
        networks.addAll(List.of(names));
        return this;
    }

    /** Adds a service; a stack that adds none has the default "web". */
    public StackYaml service(String serviceName) {
        services.add(new Service(serviceName));
        return this;
    }

    private Service last() {
        if (services.isEmpty()) {
            services.add(new Service("web"));
        }
        return services.get(services.size() - 1);
    }

    public StackYaml image(String image) {
        last().image = image;
        return this;
    }

    public StackYaml command(String... words) {
        last().command = List.of(words);
        return this;
    }

    /** {@code command: ["sh", "-c", script]}. */
    public StackYaml shell(String script) {
        return command("sh", "-c", script);
    }

    /** A shell script that serves {@code body} on 8080 with busybox httpd. */
    public StackYaml serving(String body) {
        return shell("mkdir -p /tmp/w && echo " + body + " > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w");
    }

    /** Neither command nor init: the image's own. */
    public StackYaml imageDefaults() {
        last().command = null;
        last().init = false;
        return this;
    }

    public StackYaml replicas(int replicas) {
        last().replicas = replicas;
        return this;
    }

    public StackYaml networks(String... names) {
        return with("networks: [" + String.join(", ", names) + "]");
    }

    /** Any other service fields, as YAML at the service's indentation. */
    public StackYaml with(String fields) {
        if (!fields.isBlank()) {
            last().fields.add(fields);
        }
        return this;
    }

    public String yaml() {
        StringBuilder y = new StringBuilder("apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: ").append(name).append('\n');
        metadata.forEach(line -> y.append("  ").append(line).append('\n'));
        y.append("spec:\n");
        if (global) {
            y.append("  placement: ").append(withGlobalMode(placement)).append('\n');
        } else if (placement != null) {
            y.append("  placement: ").append(placement).append('\n');
        }
        if (!networks.isEmpty()) {
            y.append("  networks: [").append(networks.stream().map(n -> "{name: " + n + "}").collect(Collectors.joining(", ")))
                    .append("]\n");
        }
        y.append("  services:\n");
        last();
        for (Service s : services) {
            y.append("    - name: ").append(s.name).append('\n');
            y.append("      image: ").append(s.image).append('\n');
            if (s.command != null) {
                y.append("      command: [").append(s.command.stream().map(StackYaml::quoted).collect(Collectors.joining(", ")))
                        .append("]\n");
            }
            if (s.init) {
                y.append("      init: true\n");
            }
            if (s.replicas != null) {
                y.append("      replicas: ").append(s.replicas).append('\n');
            }
            s.fields.forEach(f -> y.append(f.indent(6)));
        }
        return y.toString();
    }

    @Override
    public String toString() {
        return yaml();
    }

    /** The flow placement with {@code mode: global} added (a placement of its own may not name a mode too). */
    private static String withGlobalMode(String flow) {
        if (flow == null) {
            return "{mode: global}";
        }
        String inner = flow.strip();
        if (!inner.startsWith("{") || !inner.endsWith("}")) {
            throw new IllegalArgumentException("global() needs a flow placement, e.g. {hosts: [a]}: " + flow);
        }
        inner = inner.substring(1, inner.length() - 1).strip();
        return inner.isEmpty() ? "{mode: global}" : "{" + inner + ", mode: global}";
    }

    private static String quoted(String word) {
        return '"' + word.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
