package dev.berth.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Stack's container options: what the schema cannot say is an error at the field's line and column. */
class ContainerOptionsChecksTest {

    private static List<String> errors(String yaml) {
        return Manifests.PARSER.parse("x.yaml", yaml).errors().stream().map(ValidationError::toString).toList();
    }

    @Test
    void everyOptionValidates() {
        assertEquals(List.of(), errors(Manifests.MINIMAL + """
                      hostname: web-1
                      workingDir: /srv
                      privileged: true
                      ulimits: {nofile: {soft: 1024, hard: 2048}, core: {soft: -1, hard: -1}, nproc: {soft: 10, hard: -1}}
                      logging: {driver: json-file, options: {max-size: 1m}}
                      sysctls: {net.core.somaxconn: "1024", kernel.shmmax: "65536", fs.mqueue.msg_max: "10"}
                      extraHosts: ["db:10.0.0.2", "v6:::1", "gw:host-gateway", "m:::ffff:10.0.0.1"]
                      devices: [/dev/null, "/dev/zero:/dev/z", "/dev/zero:/dev/y:r"]
                      stopSignal: SIGQUIT
                      stopGracePeriod: 1m30s
                      shmSize: 256m
                """));
    }

    @Test
    void aSoftLimitAboveItsHardOneIsAnErrorAtTheSoftLimit() {
        assertEquals(List.of(
                "x.yaml:10:24: spec.services[0].ulimits.nofile.soft: soft limit 4096 is above the hard limit 1024 (a process may raise its soft limit up to the hard one, never past it)",
                "x.yaml:11:23: spec.services[0].ulimits.nproc.soft: soft limit -1 (unlimited) is above the hard limit 5 (a process may raise its soft limit up to the hard one, never past it)"),
                errors(Manifests.MINIMAL + """
                              ulimits:
                                nofile: {soft: 4096, hard: 1024}
                                nproc: {soft: -1, hard: 5}
                        """));
    }

    @Test
    void anUnknownUlimitIsAnErrorAtItsName() {
        assertEquals(List.of("x.yaml:10:9: spec.services[0].ulimits.nofiles: unknown ulimit \"nofiles\" (Docker knows "
                        + "core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)"),
                errors(Manifests.MINIMAL + """
                              ulimits:
                                nofiles: {soft: 1, hard: 1}
                        """));
    }

    @Test
    void sysctlsMustBeNamesInTheContainersNamespaces() {
        assertEquals(List.of(
                "x.yaml:10:9: spec.services[0].sysctls.vm.overcommit_memory: sysctl vm.overcommit_memory is not in the container's namespaces: Docker allows only net.*, fs.mqueue.* and kernel.msg*/sem/shm* (set host-wide ones on the host)",
                "x.yaml:11:9: spec.services[0].sysctls.somaxconn: \"somaxconn\" is not a sysctl name like net.core.somaxconn"),
                errors(Manifests.MINIMAL + """
                              sysctls:
                                vm.overcommit_memory: "1"
                                somaxconn: "1"
                        """));
    }

    @Test
    void anExtraHostNeedsAnAddress() {
        assertEquals(List.of(
                "x.yaml:9:20: spec.services[0].extraHosts[0]: \"10.0.0.300\" is not an IPv4 or IPv6 address (or host-gateway)",
                "x.yaml:9:37: spec.services[0].extraHosts[1]: \"1:2:3\" is not an IPv4 or IPv6 address (or host-gateway)"),
                errors(Manifests.MINIMAL + "      extraHosts: [\"db:10.0.0.300\", \"x:1:2:3\"]\n"));
    }

    @Test
    void stopSignalsAreTheLinuxSignalsDockerKnows() {
        for (String ok : List.of("SIGTERM", "TERM", "SIGRTMIN+3", "RTMAX-1", "9", "64", "SIGUSR1")) {
            assertEquals(List.of(), errors(Manifests.MINIMAL + "      stopSignal: \"" + ok + "\"\n"), ok);
        }
        assertEquals(List.of("x.yaml:9:19: spec.services[0].stopSignal: unknown signal \"SIGFOO\" (a Linux signal name like SIGTERM or TERM, or a number 1-64)"),
                errors(Manifests.MINIMAL + "      stopSignal: SIGFOO\n"));
        assertEquals(1, errors(Manifests.MINIMAL + "      stopSignal: \"65\"\n").size());
        assertEquals(1, errors(Manifests.MINIMAL + "      stopSignal: RTMIN+16\n").size());
    }

    @Test
    void aStopGracePeriodOver10mIsAnError() {
        assertEquals(List.of(), errors(Manifests.MINIMAL + "      stopGracePeriod: 10m\n"));
        assertEquals(List.of("x.yaml:9:24: spec.services[0].stopGracePeriod: stop grace period 1h is longer than 10m (a remove waits it inside the stack's pass; a process that needs longer to shut down should be stopped by hand first)"),
                errors(Manifests.MINIMAL + "      stopGracePeriod: 1h\n"));
    }

    @Test
    void logOptionsMustBeTheDriversOwnForDriversDockerBuildsIn() {
        assertEquals(List.of(
                "x.yaml:11:19: spec.services[0].logging.options.max-size: log driver journald has no option \"max-size\" (it takes env, env-regex, labels, labels-regex, max-buffer-size, mode, tag)"),
                errors(Manifests.MINIMAL + """
                              logging:
                                driver: journald
                                options: {max-size: 1m, tag: web}
                        """));
        assertEquals(List.of("x.yaml:9:41: spec.services[0].logging.options.max-size: log driver none takes no options"),
                errors(Manifests.MINIMAL + "      logging: {driver: none, options: {max-size: 1m}}\n"));
        assertEquals(List.of(), errors(Manifests.MINIMAL
                + "      logging: {driver: local, options: {max-size: 1m, max-file: \"3\", compress: \"true\", mode: non-blocking}}\n"));
        assertEquals(List.of(), errors(Manifests.MINIMAL + "      logging: {driver: syslog, options: {syslog-address: \"udp://1.2.3.4:514\", tag: web}}\n"));
        assertEquals(List.of(), errors(Manifests.MINIMAL + "      logging: {driver: \"grafana/loki:latest\", options: {loki-url: \"http://l/x\"}}\n"),
                "a plugin's options are Docker's to check");
    }
}
