package dev.berth.operator.gitops;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Git's "dumb" HTTP protocol (static files of a bare repository after `git update-server-info`) behind HTTP basic
 * authentication: a real remote that asks for credentials, with nothing but the JDK.
 */
final class DumbGitHttpServer implements AutoCloseable {
    private final HttpServer server;

    DumbGitHttpServer(Path bareRepo, String user, String password) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server.createContext("/repo.git/", ex -> {
            try (ex) {
                if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                String rel = ex.getRequestURI().getPath().substring("/repo.git/".length());
                Path file = bareRepo.resolve(rel).normalize();
                if (!file.startsWith(bareRepo) || !Files.isRegularFile(file)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] bytes = Files.readAllBytes(file);
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo.git";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
