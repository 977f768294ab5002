package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * socket-proxy.md documents exactly the rules socket-proxy.cfg has, with the same methods; SocketProxyTest checks
 * the other half (every call Berth makes is one of them). Needs no proxy.
 */
class SocketProxyContractTest {
    @Test
    void theDocumentListsExactlyTheConfigurationsRules() throws Exception {
        Map<String, String> config = SocketProxyRules.ofConfig(Files.readString(SocketProxy.config()));
        Map<String, String> doc = SocketProxyRules.ofDoc(Files.readString(SocketProxy.deployFile("socket-proxy.md")));
        assertTrue(config.size() >= 20, "rules found in socket-proxy.cfg: " + config);
        assertEquals(config, doc, "socket-proxy.md's table against socket-proxy.cfg's rules");
    }

    @Test
    void everythingWithoutARuleIsRefusedAndOptInsAreOffByDefault() throws Exception {
        String cfg = Files.readString(SocketProxy.config());
        assertTrue(cfg.contains("http-request deny deny_status 403 unless { var(txn.rule) -m found }"), cfg);
        assertTrue(cfg.contains("exec_create)       if METH_POST exec_create exec_on"), "exec is opt-in");
        assertTrue(cfg.contains("asks_privileged !privileged_on"), "privileged creates are opt-in");
        assertTrue(cfg.contains("env(BERTH_EXEC) -m str 1") && cfg.contains("env(BERTH_PRIVILEGED) -m str 1"), cfg);
    }
}
