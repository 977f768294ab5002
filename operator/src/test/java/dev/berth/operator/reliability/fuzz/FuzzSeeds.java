package dev.berth.operator.reliability.fuzz;

import java.util.List;

/**
 * Valid manifests of every kind, the starting points of the mutations. {@code NAME} is replaced by each input's own
 * name, so every input has a key of its own. Stacks are placed on a host that does not exist: the fuzzer is after
 * the reading of manifests, and a thousand containers would measure Docker, not the parsers.
 */
public final class FuzzSeeds {
    /** An encryptedData value in the envelope's shape (12-byte nonce, 10 bytes, 16-byte tag); never decrypted here. */
    private static final String ENVELOPE = "berth:v1:0123456789abcdef:"
            + java.util.Base64.getEncoder().encodeToString(new byte[12 + 10 + 16]);

    /** One seed: its kind and its text with {@code NAME} where the name goes. */
    public record Seed(String kind, String template) {
        public String with(String name) {
            return template.replace("NAME", name);
        }
    }

    private FuzzSeeds() {
    }

    public static List<Seed> all() {
        return List.of(
                new Seed("Stack", """
                        apiVersion: berth.dev/v1
                        kind: Stack
                        metadata:
                          name: NAME
                          labels: {app: web}
                        spec:
                          placement:
                            hosts: [fuzz-nowhere]
                          services:
                            - name: httpd
                              image: berth-test/busybox:1
                              command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
                              env: {GREETING: hello, PORT: 8080}
                              ports: [{target: 8080, published: 18080}]
                              volumes:
                                - {type: tmpfs, target: /tmp, size: 16m}
                              healthcheck: {test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/ || exit 1"], interval: 5s, retries: 3}
                              resources: {cpus: 0.5, memory: 64m}
                              networks: [front]
                          networks:
                            - name: front
                        """),
                new Seed("Stack", """
                        # Two services sharing settings through an anchor.
                        apiVersion: berth.dev/v1
                        kind: Stack
                        metadata:
                          name: NAME
                          annotations:
                            berth.dev/description: two services
                        spec:
                          placement:
                            hosts: [fuzz-nowhere]
                          services:
                            - &svc
                              name: api
                              image: berth-test/busybox:1
                              command: ["sh", "-c", "exec httpd -f -p 8080 -h /www"]
                              restart: always
                              env: {A: &g hello, B: *g}
                              volumes:
                                - type: volume
                                  source: api-data
                                  target: /data
                              resources:
                                cpus: 1
                                memory: 128m
                              capDrop: [ALL]
                              securityOpt: [no-new-privileges]
                              user: "1000:1000"
                            - <<: *svc
                              name: client
                              replicas: 2
                              volumes: []
                        """),
                new Seed("Network", """
                        apiVersion: berth.dev/v1
                        kind: Network
                        metadata:
                          name: NAME
                        spec:
                          vni: 4242
                          subnet: 10.242.0.0/16
                        """),
                new Seed("Route", """
                        apiVersion: berth.dev/v1
                        kind: Route
                        metadata:
                          name: NAME
                        spec:
                          hosts: [a.example]
                          pathPrefixes: [/api]
                          entryPoints: [web]
                          priority: 50
                          middlewares:
                            - {name: strip, stripPrefix: {prefixes: [/api]}}
                            - {name: rl, rateLimit: {average: 100, burst: 50, period: 1s}}
                          target: {stack: fuzz-target, service: httpd, port: 8080}
                          healthCheck: {path: /health}
                        """),
                new Seed("Secret", """
                        apiVersion: berth.dev/v1
                        kind: Secret
                        metadata:
                          name: NAME
                        spec:
                          encryptedData:
                            password: %s
                        """.formatted(ENVELOPE)),
                new Seed("Config", """
                        apiVersion: berth.dev/v1
                        kind: Config
                        metadata:
                          name: NAME
                        spec:
                          data:
                            nginx.conf: |
                              server { listen 80; }
                            PORT: "8080"
                        """),
                new Seed("GitSource", """
                        apiVersion: berth.dev/v1
                        kind: GitSource
                        metadata: {name: NAME}
                        spec:
                          url: https://git.example/team/stacks.git
                          ref: main
                          path: stacks
                          interval: 1h
                        """));
    }
}
