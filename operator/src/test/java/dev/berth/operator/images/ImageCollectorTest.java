package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.operator.TestEnv;
import dev.berth.reconcilers.docker.DockerActionException;
import dev.berth.reconcilers.docker.DockerClients;
import dev.berth.reconcilers.docker.DockerImages;
import dev.berth.reconcilers.docker.DockerJavaImages;
import dev.berth.reconcilers.docker.HostImageUse;
import dev.berth.reconcilers.labels.BerthLabels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image collector against the real dockerd: only images Berth brought (in the ledger, or labelled as built by
 * this instance) are removed, only when no container used them for the minimum age, never one a container uses, and
 * nothing at all with a high threshold of 100. Each test makes images of its own (commits of the test image, so each
 * has its own id) under a unique repository, and removes them afterwards.
 */
class ImageCollectorTest {
    private static final Duration MIN_AGE = Duration.ofHours(1);
    private static final ImageSettings ALWAYS = settings(0);

    private final String run = TestEnv.uniqueName("gc");
    /** An instance nobody else uses: labelled images of other runs and operators are foreign to it. */
    private final String instance = "gc-test-" + run;
    private final HandClock clock = new HandClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> madeImages = new ArrayList<>();
    private final List<String> madeContainers = new ArrayList<>();
    private DockerClient docker;
    private DockerImages images;
    private SimpleMeterRegistry registry;
    @TempDir
    Path state;

    @BeforeEach
    void connect() {
        docker = DockerClients.connect(TestEnv.dockerHost());
        images = new DockerJavaImages(docker);
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String id : madeContainers) {
            try {
                docker.removeContainerCmd(id).withForce(true).exec();
            } catch (NotFoundException e) {
                // removed by the test
            }
        }
        for (String id : madeImages) {
            try {
                docker.removeImageCmd(id).withForce(true).exec();
            } catch (NotFoundException e) {
                // removed by the collector
            }
        }
        docker.close();
    }

    @Test
    void removesOnlyBerthsImagesUnusedForTheMinimumAge() {
        ImageLedger ledger = new ImageLedger(state.resolve(ImageLedger.FILE), clock);
        String old = image("old", Map.of());
        // A second tag of its repository (Berth's name for it): removed with it.
        docker.tagImageCmd(old, "berth-gc-test/" + run + "-old", "2").exec();
        String used = image("used", Map.of());
        String recentlyUsed = image("recently-used", Map.of());
        String foreign = image("foreign", Map.of());
        String otherInstance = image("other-instance", Map.of(BerthLabels.MANAGED_BY, instance + "-other"));
        ledger.acquired(old, ref("old"));
        ledger.acquired(used, ref("used"));
        ledger.acquired(recentlyUsed, ref("recently-used"));
        ledger.acquired("sha256:" + "0".repeat(64), "gone/from:docker");
        container(used); // stopped, never started: it still uses its image
        String user = container(recentlyUsed);
        clock.advance(Duration.ofMinutes(90));
        String young = image("young", Map.of());
        ledger.acquired(young, ref("young"));
        clock.advance(Duration.ofMinutes(30));

        ImageCollector collector = collector(ledger, ALWAYS);
        ImageCollector.Pass first = collector.collectOnce();

        assertEquals(List.of(old), first.removed());
        assertFalse(present(old), "old, unused, in the ledger: removed");
        assertTrue(present(young), "acquired 30 min ago, min age 1 h: kept");
        assertTrue(present(used) && present(recentlyUsed), "used by a container: kept");
        assertTrue(present(foreign) && present(otherInstance), "not Berth's: kept");
        assertEquals(Set.of(used, recentlyUsed, young), ledger.entries().keySet(),
                "the removed image and the one gone from Docker are dropped from the ledger");
        assertEquals(clock.instant().toString(), ledger.entry(used).orElseThrow().lastUsed());
        assertEquals(1.0, registry.get("berth.images.removed").counter().count());
        assertTrue(registry.get("berth.image.disk.used.ratio").gauge().value() > 0);

        // The container goes; its image was used a moment ago, so it stays another min age.
        docker.removeContainerCmd(user).withForce(true).exec();
        clock.advance(Duration.ofMinutes(40));
        ImageCollector.Pass second = collector.collectOnce();
        assertEquals(List.of(young), second.removed(), "young is now 70 min unused; recently-used only 40");
        assertTrue(present(recentlyUsed));

        clock.advance(Duration.ofMinutes(30));
        assertEquals(List.of(recentlyUsed), collector.collectOnce().removed());
        assertTrue(present(used) && present(foreign) && present(otherInstance));
    }

    @Test
    void anImageOnlyLabelledAsBuiltByThisInstanceIsNotBerths() {
        // A person's image built FROM one Berth built inherits its labels: only the ledger says what Berth brought.
        ImageLedger ledger = new ImageLedger(state.resolve(ImageLedger.FILE), clock);
        String inherited = image("inherited", Map.of(BerthLabels.MANAGED_BY, instance));
        ImageCollector collector = collector(ledger, ALWAYS);

        clock.advance(Duration.ofDays(30));
        assertEquals(List.of(), collector.collectOnce().removed());
        assertTrue(ledger.entry(inherited).isEmpty());
        assertTrue(present(inherited));
    }

    @Test
    void anImageSomeoneGaveAnotherNameIsKept() {
        ImageLedger ledger = new ImageLedger(state.resolve(ImageLedger.FILE), clock);
        String shared = image("shared", Map.of());
        ledger.acquired(shared, ref("shared"));
        // Someone tags Berth's image under a repository of their own: it is theirs too now.
        docker.tagImageCmd(shared, "berth-gc-test/" + run + "-theirs", "1").exec();
        String alone = image("alone", Map.of());
        ledger.acquired(alone, ref("alone"));
        clock.advance(Duration.ofDays(30));

        assertEquals(List.of(alone), collector(ledger, ALWAYS).collectOnce().removed());
        assertTrue(present(shared), "another repository's name on it: kept");
    }

    @Test
    void aHighThresholdOf100TurnsCollectionOff() {
        ImageLedger ledger = new ImageLedger(state.resolve(ImageLedger.FILE), clock);
        String old = image("old", Map.of());
        ledger.acquired(old, ref("old"));
        clock.advance(Duration.ofDays(30));

        ImageCollector collector = collector(ledger, settings(100));
        assertFalse(collector.enabled());
        assertEquals(List.of(), collector.collectOnce().removed());
        assertTrue(present(old));
    }

    @Test
    void withoutDockersDataRootInSightNothingIsRemoved() {
        ImageLedger ledger = new ImageLedger(state.resolve(ImageLedger.FILE), clock);
        String old = image("old", Map.of());
        ledger.acquired(old, ref("old"));
        clock.advance(Duration.ofDays(30));
        // An operator in a container without Docker's data root mounted: the path is not there.
        ImageCollector collector = new ImageCollector(images, new HostImageUse(docker), ledger, ALWAYS, instance, clock,
                registry, root -> state.resolve("not-mounted").resolve(root.toString().substring(1)));

        ImageCollector.Pass pass = collector.collectOnce();
        assertTrue(pass.usage().isEmpty());
        assertEquals(List.of(), pass.removed());
        assertTrue(present(old));
        assertTrue(Double.isNaN(registry.get("berth.image.disk.used.ratio").gauge().value()));
        assertEquals(List.of(), collector.collectOnce().removed(), "and again, without a second warning");
    }

    @Test
    void theLedgerSurvivesANewCollector() {
        Path file = state.resolve(ImageLedger.FILE);
        String old = image("old", Map.of());
        new ImageLedger(file, clock).acquired(old, ref("old"));
        assertTrue(Files.exists(file));
        clock.advance(MIN_AGE.plusMinutes(1));

        ImageLedger reopened = new ImageLedger(file, clock);
        assertEquals(Optional.of(ref("old")), reopened.entry(old).map(ImageLedger.Entry::ref));
        assertEquals(List.of(old), collector(reopened, ALWAYS).collectOnce().removed());
        assertFalse(present(old));
        assertEquals(Map.of(), new ImageLedger(file, clock).entries(), "the removal is written down too");
    }

    @Test
    void removingAnImageAContainerUsesFailsAndKeepsItsNames() {
        String used = image("used", Map.of());
        String alias = "berth-gc-test/" + run + "-alias:1";
        docker.tagImageCmd(used, "berth-gc-test/" + run + "-alias", "1").exec();
        container(used);

        DockerActionException e = assertThrows(DockerActionException.class, () -> images.remove(used));
        assertEquals(DockerImages.IMAGE_IN_USE, e.reason());
        assertTrue(present(used));
        assertEquals(Set.of(ref("used"), alias),
                Set.copyOf(docker.inspectImageCmd(used).exec().getRepoTags()), "no name was taken off");

        images.remove("sha256:" + "0".repeat(64)); // gone already: fine
    }

    @Test
    void listsImagesWithTheirNamesLabelsAndSize() {
        String built = image("listed", Map.of(BerthLabels.MANAGED_BY, instance));
        var listed = images.list().stream().filter(i -> i.id().equals(built)).findFirst().orElseThrow();
        assertEquals(List.of(ref("listed")), listed.repoTags());
        assertEquals(instance, listed.labels().get(BerthLabels.MANAGED_BY));
        assertTrue(listed.size() > 0);
        assertTrue(new HostImageUse(docker).dataRoot().startsWith("/"));
    }

    private ImageCollector collector(ImageLedger ledger, ImageSettings settings) {
        return new ImageCollector(images, new HostImageUse(docker), ledger, settings, instance, clock, registry);
    }

    private static ImageSettings settings(int high) {
        return new ImageSettings(Duration.ofMinutes(1), Duration.ofMinutes(1), high, 0, MIN_AGE, Duration.ofHours(1));
    }

    private String ref(String name) {
        return "berth-gc-test/" + run + "-" + name + ":1";
    }

    /** A new image of its own id (a commit of the test image with its own label), named {@link #ref}. */
    private String image(String name, Map<String, String> labels) {
        String base = docker.createContainerCmd(TestEnv.testImage()).withCmd("true")
                .withLabels(Map.of("berth.test/run", run)).exec().getId();
        try {
            Map<String, String> all = new java.util.HashMap<>(labels);
            all.put("berth.test/image", run + "-" + name);
            String id = docker.commitCmd(base).withRepository("berth-gc-test/" + run + "-" + name).withTag("1")
                    .withLabels(all).exec();
            String full = docker.inspectImageCmd(id).exec().getId();
            madeImages.add(full);
            return full;
        } finally {
            docker.removeContainerCmd(base).withForce(true).exec();
        }
    }

    /** A container of {@code imageId}, created and never started. */
    private String container(String imageId) {
        String id = docker.createContainerCmd(imageId).withCmd("true")
                .withLabels(Map.of("berth.test/run", run)).exec().getId();
        madeContainers.add(id);
        return id;
    }

    private boolean present(String imageId) {
        try {
            docker.inspectImageCmd(imageId).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static final class HandClock extends Clock {
        private Instant now;

        HandClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
