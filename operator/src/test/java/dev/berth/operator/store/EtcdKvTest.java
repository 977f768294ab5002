package dev.berth.operator.store;

import dev.berth.crds.ObjectKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.operator.EtcdFixture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Guarded transactions against the real etcd: a concurrent write is never silently overwritten. */
class EtcdKvTest {
    private final EtcdFixture etcd = new EtcdFixture();

    @AfterEach
    void tearDown() {
        etcd.close();
    }

    @Test
    void aGuardOnAStaleRevisionFailsAndWritesNothing() {
        String a = etcd.prefix + "/a";
        String b = etcd.prefix + "/b";
        etcd.kv.put(a, "one");
        long seen = etcd.kv.get(a).orElseThrow().modRevision();
        etcd.kv.put(a, "changed by someone else");
        boolean committed = etcd.kv.commit(List.of(new EtcdKv.Guard(a, seen), new EtcdKv.Guard(b, 0)),
                List.of(new EtcdKv.Write(a, "mine"), new EtcdKv.Write(b, "mine")));
        assertFalse(committed);
        assertEquals("changed by someone else", etcd.kv.get(a).orElseThrow().value());
        assertTrue(etcd.kv.get(b).isEmpty(), "all or nothing");
    }

    @Test
    void aGuardForAbsentKeysFailsWhenTheKeyAppeared() {
        String key = etcd.prefix + "/new";
        etcd.kv.put(key, "created meanwhile");
        assertFalse(etcd.kv.commit(List.of(new EtcdKv.Guard(key, 0)), List.of(new EtcdKv.Write(key, "mine"))));
        assertEquals("created meanwhile", etcd.kv.get(key).orElseThrow().value());
    }

    @Test
    void keyLayoutParsesOnlyDesiredKeys() {
        KeyLayout keys = new KeyLayout("/berth");
        assertEquals(new ObjectKey("stack", "web"), keys.parseDesired("/berth/v1/stack/web").orElseThrow());
        assertTrue(keys.parseDesired("/berth/v1/status/stack/web/h1").isEmpty());
        assertTrue(keys.parseDesired("/berth/v1/hosts/h1").isEmpty());
        assertTrue(keys.parseDesired("/berth/v1/stack/").isEmpty());
        assertTrue(keys.parseDesired("/other/v1/stack/web").isEmpty());
        assertEquals("/berth/v1/status/stack/web/h1", keys.status("stack", "web", "h1"));
    }
}
