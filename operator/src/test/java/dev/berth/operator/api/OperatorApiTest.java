package dev.berth.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.operator.CliRun;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.StackYaml;
import dev.berth.operator.TestEnv;
import dev.berth.operator.TestOperator;
import dev.berth.operator.control.HostRecord;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One operator with its API on (real dockerd, real etcd) and one stack whose container writes to stdout and stderr:
 * the API refuses requests without the cluster token or with another cluster's, answers only for Berth's containers,
 * the CLI refuses a server whose certificate is not the pinned one, and logs and exec work through the CLI.
 */
class OperatorApiTest {
    private static TestOperator op;
    private static String stack;
    private static HostRecord.ApiEndpoint endpoint;

    @BeforeAll
    static void setUp() throws Exception {
        op = TestOperator.builder().api().build().start();
        stack = "api" + op.instance.replaceAll("[^a-z0-9]", "");
        op.apply(StackYaml.stack(stack).shell("echo to-stdout; echo to-stderr >&2; exec sleep 600").yaml());
        op.awaitReady(stack, 1);
        endpoint = new ObjectMapper().readValue(op.etcd.kv.get(op.etcd.keys.host(op.host)).orElseThrow().value(),
                HostRecord.class).api();
    }

    @AfterAll
    static void tearDown() {
        if (op != null) {
            op.close();
        }
    }

    private static String token(EtcdFixture etcd) {
        return new ApiToken(etcd.kv, etcd.keys).load();
    }

    private static String logs(ApiClient client, String container) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (ApiClient.FrameReader reader = client.logs(container, Map.of("tail", "10"))) {
            ApiFrames.Frame frame;
            while ((frame = reader.next()) != null) {
                all.write(frame.payload());
            }
        }
        return all.toString();
    }

    /** {@code berth exec} with the etcd options before {@code --} (CliRun.of would append them to the command). */
    private static CliRun exec(String target, String... command) {
        List<String> args = new java.util.ArrayList<>(List.of("exec", "--etcd-endpoints=" + op.etcd.settings.describeEndpoints(),
                "--prefix=" + op.etcd.prefix, target, "--"));
        args.addAll(List.of(command));
        return CliRun.raw(args.toArray(String[]::new));
    }

    @Test
    void theHostRecordPublishesTheApiAndTheCertificate() {
        assertTrue(endpoint.address().startsWith("127.0.0.1:"), endpoint.toString());
        assertEquals(64, endpoint.certSha256().length(), endpoint.toString());
    }

    @Test
    void refusesRequestsWithoutTheClusterToken() throws Exception {
        // No Authorization header at all, over the pinned TLS connection.
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[] {new PinnedTrust(endpoint.certSha256())}, null);
        SSLParameters parameters = tls.getDefaultSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(null);
        HttpClient raw = HttpClient.newBuilder().sslContext(tls).sslParameters(parameters)
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> bare = raw.send(HttpRequest.newBuilder(URI.create("https://" + endpoint.address()
                + "/v1/logs/" + stack + "-web-1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, bare.statusCode(), bare.body());

        // Another cluster's token (another prefix, same etcd): the same refusal, and the CLI's one line.
        try (EtcdFixture other = new EtcdFixture()) {
            String foreign = token(other);
            assertNotEquals(token(op.etcd), foreign);
            ApiClient.ApiException refused = assertThrows(ApiClient.ApiException.class, () -> logs(
                    new ApiClient(op.host, endpoint.address(), endpoint.certSha256(), foreign), stack + "-web-1"));
            assertEquals("host " + op.host + ": token rejected: is this the same cluster?", refused.getMessage());
        }

        // The cluster's own token: the log.
        String log = logs(new ApiClient(op.host, endpoint.address(), endpoint.certSha256(), token(op.etcd)),
                stack + "-web-1");
        assertTrue(log.contains("to-stdout") && log.contains("to-stderr"), log);
    }

    /** A connection that never starts its TLS handshake is closed by the server's request time limit. */
    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        String[] hostPort = endpoint.address().split(":");
        try (java.net.Socket silent = new java.net.Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            long bound = ApiServer.MAX_REQUEST_SECONDS * 1000L + 15_000;
            silent.setSoTimeout((int) bound);
            long started = System.nanoTime();
            int read;
            try {
                read = silent.getInputStream().read();
            } catch (java.net.SocketException e) {
                read = -1; // reset: closed as well
            }
            assertEquals(-1, read, "the server closed the silent connection");
            assertTrue(System.nanoTime() - started < bound * 1_000_000L);
        }
    }

    /** The API's port in use does not stop the operator: it runs without its API, and its host record says so. */
    @Test
    void anApiPortInUseLeavesTheOperatorRunningWithoutItsApi() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             TestOperator without = TestOperator.builder().api(new java.net.InetSocketAddress(
                     held.getInetAddress(), held.getLocalPort())).build().start()) {
            String name = "held" + without.instance.replaceAll("[^a-z0-9]", "");
            without.apply(StackYaml.stack(name).shell("exec sleep 600").yaml());
            without.awaitReady(name, 1);
            HostRecord record = new ObjectMapper().readValue(without.etcd.kv.get(without.etcd.keys.host(without.host))
                    .orElseThrow().value(), HostRecord.class);
            assertEquals(null, record.api(), record.toString());
        }
    }

    @Test
    void answersOnlyForBerthContainers() {
        String name = "plain-" + op.instance;
        op.docker.createContainerCmd(TestEnv.testImage()).withName(name).withCmd("true").exec();
        try {
            ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class, () -> logs(
                    new ApiClient(op.host, endpoint.address(), endpoint.certSha256(), token(op.etcd)), name));
            assertTrue(e.getMessage().contains("no Berth container " + name), e.getMessage());
        } finally {
            op.docker.removeContainerCmd(name).withForce(true).exec();
        }
    }

    @Test
    void theCliRefusesACertificateThatIsNotThePinnedOne() throws Exception {
        // A host whose record names this operator's API with another fingerprint, and a status that puts a
        // container of a stack there: the CLI must not talk to it.
        String fake = "forged-" + op.instance;
        String forged = "forged" + op.instance.replaceAll("[^a-z0-9]", "");
        String wrong = "0".repeat(64);
        op.etcd.kv.put(op.etcd.keys.host(fake), new ObjectMapper().writeValueAsString(new HostRecord(fake, Map.of(),
                "test", null, null, null, List.of(), null, null, null,
                new HostRecord.ApiEndpoint(endpoint.address(), wrong))));
        op.etcd.kv.put(op.etcd.keys.status("stack", forged, fake), "{\"host\":\"" + fake + "\",\"observedRevision\":1,"
                + "\"replicas\":[{\"name\":\"" + stack + "-web-1\",\"service\":\"web\",\"replica\":0,\"state\":\"running\"}]}");
        CliRun run = op.etcd.cli("logs", "stack/" + forged);
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains("presented a certificate (sha256 " + endpoint.certSha256()
                + ") that is not the one in its host record; refusing it"), run.err());
        assertTrue(!run.out().contains("to-stdout"), run.out());
    }

    @Test
    void logsAndExecThroughTheCli() {
        CliRun logs = op.etcd.cli("logs", "stack/" + stack + "/web", "--timestamps", "--since", "1h");
        assertEquals(0, logs.exit(), logs.err());
        String prefix = op.host + "/" + stack + "-web-1 | ";
        assertTrue(logs.out().lines().anyMatch(l -> l.startsWith(prefix) && l.endsWith(" to-stdout")), logs.out());
        assertTrue(logs.out().lines().anyMatch(l -> l.startsWith(prefix) && l.endsWith(" to-stderr")), logs.out());

        CliRun exec = exec("stack/" + stack + "/web", "sh", "-c", "echo out-$((1+2)); echo err >&2; exit 3");
        assertEquals(3, exec.exit(), exec.out() + exec.err());
        assertEquals("out-3\n", exec.out());
        assertEquals("err\n", exec.err());

        CliRun missing = exec("stack/" + stack + "/nosuch", "true");
        assertEquals(125, missing.exit());
        assertEquals("error: stack/" + stack + "/nosuch has no container on any host\n", missing.err());
    }
}
