package dev.berth.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.ManifestParser;
import dev.berth.crds.ParseResult;
import dev.berth.crds.Resource;
import dev.berth.reconcilers.stack.HostInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The notes and warnings berth apply prints for a stack, against host lists written out (pure). */
class PlacementAdviceTest {
    private static final String HEAD = """
            apiVersion: berth.dev/v1
            kind: Stack
            metadata:
              name: shop
            spec:
            """;
    private static final List<HostInfo> THREE = List.of(new HostInfo("h1", Map.of("zone", "a")),
            new HostInfo("h2", Map.of("zone", "b")), new HostInfo("h3", Map.of()));

    private static Resource stack(String spec) {
        ParseResult result = new ManifestParser(Kinds.standard()).parse("shop.yaml", HEAD + spec);
        assertTrue(result.ok(), result.errors().toString());
        return result.resources().get(0);
    }

    @Test
    void aStackWithoutPlacementIsSpreadOverAllHostsAndOneHostGetsNoNote() {
        Resource r = stack("""
                  services:
                    - {name: web, image: busybox:1}
                """);
        assertEquals(List.of("note: stack/shop may run on any host: the scheduler spreads the replicas of each service "
                + "over all 3 known hosts (h1, h2, h3)"), PlacementAdvice.of(r, THREE));
        assertEquals(List.of(), PlacementAdvice.of(r, THREE.subList(0, 1)));
        assertEquals(List.of(), PlacementAdvice.of(r, List.of()));
    }

    @Test
    void aGlobalStackRunsOnEachHost() {
        Resource r = stack("""
                  placement: {mode: global}
                  services:
                    - {name: agent, image: busybox:1}
                """);
        assertEquals(List.of("note: stack/shop may run on any host: its services are global, so each of the 3 "
                + "known hosts (h1, h2, h3) runs replicas containers of every service"), PlacementAdvice.of(r, THREE));
        Resource mixed = stack("""
                  services:
                    - {name: web, image: busybox:1}
                    - {name: agent, image: busybox:1, placement: {mode: global}}
                """);
        assertEquals(List.of("note: stack/shop may run on any host: the scheduler spreads the replicas of each "
                + "replicated service over all 3 known hosts (h1, h2, h3); each of them runs the global services"),
                PlacementAdvice.of(mixed, THREE));
    }

    @Test
    void replicatedServiceWithWritableHostDataAndFailoverOnIsWarnedAbout() {
        Resource r = stack("""
                  placement: {hosts: [h1, h2]}
                  services:
                    - name: db
                      image: postgres:16
                      volumes: [{type: bind, source: /etc/db.conf, target: /etc/db.conf, readOnly: true},
                                {type: volume, source: pgdata, target: /var/lib/postgresql/data}]
                    - name: files
                      image: busybox:1
                      volumes: [{type: bind, source: /srv/files, target: /files}]
                    - name: pinned
                      image: postgres:16
                      failover: false
                      volumes: [{type: volume, source: pinned, target: /data}]
                    - name: everywhere
                      image: busybox:1
                      placement: {mode: global}
                      volumes: [{type: volume, source: cache, target: /cache}]
                    - name: cache
                      image: busybox:1
                      volumes: [{type: tmpfs, target: /tmp}]
                """);
        assertEquals(List.of(
                "shop.yaml:11:17: warning: spec.services[0].volumes[1]: service \"db\" is replicated with failover on "
                        + "and mounts the named volume \"pgdata\": if its host is lost, the replica starts on another "
                        + "host without that data; set failover: false to keep it on its host (Unavailable while the "
                        + "host is down), or placement mode: global",
                "shop.yaml:14:17: warning: spec.services[1].volumes[0]: service \"files\" is replicated with failover "
                        + "on and mounts the host path /srv/files: if its host is lost, the replica starts on another "
                        + "host without that data; set failover: false to keep it on its host (Unavailable while the "
                        + "host is down), or placement mode: global"),
                PlacementAdvice.of(r, THREE));
        // With one eligible live host there is nowhere to fail over to: nothing to say yet.
        assertEquals(List.of(), PlacementAdvice.of(r, THREE.subList(0, 1)));
    }

    @Test
    void aSpreadLabelNoEligibleHostHasIsOneWarningWhereItIsWritten() {
        Resource r = stack("""
                  placement: {spread: rack}
                  services:
                    - {name: web, image: busybox:1}
                    - {name: api, image: busybox:1}
                    - {name: zoned, image: busybox:1, placement: {spread: zone}}
                    - {name: zoned-off, image: busybox:1, placement: {spread: zone, hosts: [h3]}}
                """);
        assertEquals(List.of(
                "shop.yaml:6:23: warning: spec.placement.spread: no live host that services web, api may run on has "
                        + "the label \"rack\" (hosts without it get no replicas): the replicas stay Pending until one "
                        + "has it",
                "shop.yaml:11:63: warning: spec.services[3].placement.spread: no live host that service \"zoned-off\" "
                        + "may run on has the label \"zone\" (hosts without it get no replicas): the replicas stay "
                        + "Pending until one has it"),
                PlacementAdvice.of(r, THREE));
    }

    @Test
    void moreReplicasThanTheLiveHostsCanTake() {
        Resource r = stack("""
                  services:
                    - name: web
                      image: busybox:1
                      replicas: 4
                      ports: [{target: 80, published: 8080}]
                    - name: api
                      image: busybox:1
                      replicas: 5
                      placement: {maxPerHost: 2, hostSelector: {zone: a}}
                    - name: fits
                      image: busybox:1
                      replicas: 6
                      placement: {maxPerHost: 2}
                    - name: nowhere
                      image: busybox:1
                      placement: {hostSelector: {zone: c}}
                    - name: off
                      image: busybox:1
                      replicas: 0
                      placement: {hostSelector: {zone: c}}
                """);
        assertEquals(List.of(
                "shop.yaml:9:17: warning: spec.services[0].replicas: service \"web\" wants 4 replicas but the 3 live "
                        + "hosts it may run on take 1 each (a fixed host port binds once per host): 1 stay Pending "
                        + "until more hosts join",
                "shop.yaml:13:17: warning: spec.services[1].replicas: service \"api\" wants 5 replicas but the 1 live "
                        + "host it may run on take 2 each (maxPerHost): 3 stay Pending until more hosts join",
                "shop.yaml:21:18: warning: spec.services[3].placement: no live host matches the placement of service "
                        + "\"nowhere\" (live: h1, h2, h3): nothing of it runs until one does"),
                PlacementAdvice.of(r, THREE));
    }
}
