package dev.berth.operator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.operator.TestClock;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Pure: one voice while etcd refuses the operator, however its parts' calls come and go (issue 20, part 7). */
class RefusalWarningsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T04:00:00Z"));
    private final RefusalWarnings warnings = new RefusalWarnings(EtcdKv.CallListener.NONE, clock);
    private final Logger logger = (Logger) LoggerFactory.getLogger(RefusalWarnings.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void listen() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.INFO); // the tests' default is WARN; the return is said at INFO
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(logs);
        logger.setLevel(levelBefore);
    }

    private List<ILoggingEvent> at(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).toList();
    }

    /** A revoked role still gets leases granted: lease calls between refused key calls are no return. */
    @Test
    void leaseCallsThatWorkDoNotEndARefusal() {
        for (int i = 0; i < 10; i++) {
            warnings.refused(new EtcdRefusedException("denied user 'berth' (list /berth/v1/stack/)"));
            warnings.call("lease_grant", "success", 1);
            clock.advance(Duration.ofSeconds(2));
        }
        assertEquals(1, at(Level.WARN).size(), logs.list.toString());
        assertEquals(0, at(Level.INFO).size(), "never said to be accepted again: " + logs.list);
        warnings.call("get", "success", 1);
        assertEquals(1, at(Level.INFO).size(), "a key call that works is the return: " + logs.list);
    }

    /** A refusal that comes and goes (some keys allowed, some not) is one warning a minute, not one per flap. */
    @Test
    void aFlappingRefusalIsWarnedOfOnceAMinute() {
        for (int i = 0; i < 20; i++) {
            warnings.refused(new EtcdRefusedException("denied"));
            warnings.call("get", "success", 1);
            clock.advance(Duration.ofSeconds(2));
        }
        assertEquals(1, at(Level.WARN).size(), logs.list.toString());
        clock.advance(Duration.ofMinutes(1));
        warnings.refused(new EtcdRefusedException("denied"));
        assertEquals(2, at(Level.WARN).size(), "still refused a minute later: said again");
    }

    /** An election's campaign fails with jetcd's own exception: it is a refusal too, said by this voice only. */
    @Test
    void jetcdsPermissionDeniedIsARefusal() {
        assertTrue(EtcdRefusals.isRefusal(EtcdExceptionFactory.newEtcdException(ErrorCode.PERMISSION_DENIED,
                "etcdserver: permission denied")));
        assertTrue(!EtcdRefusals.isRefusal(EtcdExceptionFactory.newEtcdException(ErrorCode.UNAVAILABLE, "down")));
    }

    /**
     * etcd's election service hands its inner call's refusal on under another code (the CI run of 2026-12-03: 28
     * "left the race (campaign failed: ...EtcdException: etcdserver: permission denied)" warnings in 20 s).
     */
    @Test
    void aRefusalUnderAnotherCodeIsARefusalByItsWords() {
        assertTrue(EtcdRefusals.isRefusal(new java.util.concurrent.CompletionException(EtcdExceptionFactory
                .newEtcdException(ErrorCode.UNKNOWN, "etcdserver: permission denied"))));
        assertTrue(EtcdRefusals.isRefusal(EtcdExceptionFactory.newEtcdException(ErrorCode.UNKNOWN,
                "etcdserver: invalid auth token")));
        assertTrue(!EtcdRefusals.isRefusal(EtcdExceptionFactory.newEtcdException(ErrorCode.UNKNOWN,
                "etcdserver: request timed out")));
    }
}
