package dev.berth.operator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.crds.Kinds;
import dev.berth.crds.stack.StackSpec;
import dev.berth.operator.Await;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.TestOperator;
import dev.berth.operator.cache.EtcdInformer;
import dev.berth.operator.store.StoredObject;
import dev.berth.operator.store.StoredValue;
import dev.berth.reconcilers.stack.StackHere;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What each stack pass decides per service, with the pins in a real etcd seen through a real informer. The puller is
 * a fake (the decision logic is what is tested here; pulls from a real registry are in the operator tests): it
 * answers per reference what a tag currently resolves to on "its" host.
 */
class StackImagesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DIGEST_1 = "sha256:" + "1".repeat(64);
    private static final String DIGEST_2 = "sha256:" + "2".repeat(64);

    private final EtcdFixture etcd = new EtcdFixture();
    private final List<AutoCloseable> closes = new ArrayList<>();

    /** A host's puller: what each reference resolves to there, and every call it got. */
    private static final class FakePuller implements ImagePuller {
        final Map<String, ImageState> answers = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public ImageState resolve(String ref, String policy, Runnable onDone) {
            calls.add(ref + " " + policy);
            return answers.getOrDefault(ref, new ImageState.Ready(ref));
        }
    }

    private record Host(StackImages images, FakePuller puller, ImagePins pins) {
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closes) {
            c.close();
        }
        etcd.close();
    }

    private Host host(String name) {
        EtcdInformer<StoredValue> informer = new EtcdInformer<>("image-pins", etcd.keys.imagePinsPrefix(), etcd.kv,
                ImagePins.codec(etcd.keys), TestOperator.FAST_RETRY, new SimpleMeterRegistry());
        closes.add(informer);
        informer.start();
        ImagePinStore store = new ImagePinStore(etcd.kv, etcd.keys);
        FakePuller puller = new FakePuller();
        ImageBuilds builds = (stack, service, onDone) -> new ImageState.Failed("BuildFailed", "no builds here",
                Instant.now().plusSeconds(60));
        ImagePins pins = new ImagePins(informer, store);
        StackImages images = new StackImages(puller, builds, pins, store, name, Clock.systemUTC());
        Await.until(WAIT, "pins listed", images::synced);
        return new Host(images, puller, pins);
    }

    private StoredObject apply(String name, String annotations, String services) {
        String yaml = "apiVersion: berth.dev/v1\nkind: Stack\nmetadata:\n  name: " + name + "\n" + annotations
                + "spec:\n  services:\n" + services.indent(4);
        etcd.kv.put(etcd.keys.desired("stack", name), yaml);
        StoredObject object = etcd.store.get(Kinds.standard().byKind("Stack").orElseThrow(), name).orElseThrow();
        assertTrue(object.valid(), () -> object.errors().toString());
        return object;
    }

    private static StackHere all(StoredObject object) {
        return StackHere.all(object.resource().orElseThrow().spec(StackSpec.class));
    }

    @Test
    void theFirstHostPinsTheTagAndEveryOtherHostRunsThatDigestEvenAfterTheTagMoved() {
        Host one = host("h1");
        Host two = host("h2");
        StoredObject stack = apply("shop", "", "- name: web\n  image: reg.test:5000/shop/web:1\n");
        one.puller().answers.put("reg.test:5000/shop/web:1", new ImageState.Ready("reg.test:5000/shop/web@" + DIGEST_1));
        // The tag moved before the second host looked: it would resolve another digest.
        two.puller().answers.put("reg.test:5000/shop/web:1", new ImageState.Ready("reg.test:5000/shop/web@" + DIGEST_2));

        StackImages.Resolved first = one.images().resolve(stack, all(stack));
        assertEquals(Map.of("web", "reg.test:5000/shop/web@" + DIGEST_1), first.ready());
        ImagePin pin = new ImagePinStore(etcd.kv, etcd.keys).read("shop").get("web");
        assertEquals("h1", pin.host());
        assertEquals("reg.test:5000/shop/web:1", pin.image());

        // What the claim below is about: a host that has seen the pin (its informer is fed by a watch).
        Await.until(WAIT, "the second host sees the pin", () -> two.pins().of("shop", "web").isPresent());
        Await.until(WAIT, "the second host runs the first host's digest", () -> ("reg.test:5000/shop/web@" + DIGEST_1)
                .equals(two.images().resolve(stack, all(stack)).ready().get("web")));
        assertFalse(two.puller().calls.contains("reg.test:5000/shop/web:1 IfNotPresent"),
                "a host that sees a pin of this generation never resolves the tag: " + two.puller().calls);
        assertTrue(two.puller().calls.contains("reg.test:5000/shop/web@" + DIGEST_1 + " IfNotPresent"),
                two.puller().calls.toString());

        // The pin holds on the first host too: it does not resolve the tag again.
        one.puller().calls.clear();
        assertEquals("reg.test:5000/shop/web@" + DIGEST_1, one.images().resolve(stack, all(stack)).ready().get("web"));
        assertEquals(List.of("reg.test:5000/shop/web@" + DIGEST_1 + " IfNotPresent"), one.puller().calls);

        // Scaling keeps the pin; berth restart (the annotation) is a new generation: the tag is resolved again.
        StoredObject scaled = apply("shop", "", "- name: web\n  image: reg.test:5000/shop/web:1\n  replicas: 3\n");
        assertEquals("reg.test:5000/shop/web@" + DIGEST_1, one.images().resolve(scaled, all(scaled)).ready().get("web"));
        StoredObject restarted = apply("shop", "  annotations: {berth.dev/restarted-at: \"2026-12-02T08:00:00Z\"}\n",
                "- name: web\n  image: reg.test:5000/shop/web:1\n  replicas: 3\n");
        assertNotEquals(StackImages.generation(scaled, scaled.resource().orElseThrow().spec(StackSpec.class).services()
                .get(0)), StackImages.generation(restarted, restarted.resource().orElseThrow().spec(StackSpec.class)
                .services().get(0)));
        assertEquals("reg.test:5000/shop/web@" + DIGEST_2, two.images().resolve(restarted, all(restarted)).ready()
                .get("web"), "the second host resolves first this time and pins the moved tag");
        Await.until(WAIT, "the first host follows the new pin", () -> ("reg.test:5000/shop/web@" + DIGEST_2)
                .equals(one.images().resolve(restarted, all(restarted)).ready().get("web")));
    }

    @Test
    void twoHostsResolvingAtOnceBothRunTheWinner() {
        Host one = host("h1");
        Host two = host("h2");
        StoredObject stack = apply("race", "", "- name: web\n  image: reg.test:5000/race:1\n");
        one.puller().answers.put("reg.test:5000/race:1", new ImageState.Ready("reg.test:5000/race@" + DIGEST_1));
        two.puller().answers.put("reg.test:5000/race:1", new ImageState.Ready("reg.test:5000/race@" + DIGEST_2));
        // Neither has seen a pin: the second proposal loses and runs the first one's digest.
        String a = one.images().resolve(stack, all(stack)).ready().get("web");
        String b = two.images().resolve(stack, all(stack)).ready().get("web");
        assertEquals("reg.test:5000/race@" + DIGEST_1, a);
        assertEquals(a, b);
    }

    @Test
    void neverDigestsAsWrittenUnpinnableImagesAndImagesNotReady() {
        Host one = host("h1");
        StoredObject stack = apply("mix", "", """
                - name: never
                  image: local/only:1
                  imagePullPolicy: Never
                - name: digest
                  image: reg.test:5000/app@%s
                - name: local
                  image: berth-test/busybox:1
                - name: pulling
                  image: reg.test:5000/slow:1
                - name: failing
                  image: reg.test:5000/secret:1
                - name: built
                  build: {context: /srv/app}
                """.formatted(DIGEST_1));
        one.puller().answers.put("reg.test:5000/slow:1", new ImageState.InProgress(ImageState.PULLING,
                "pulling reg.test:5000/slow:1"));
        Instant retry = Instant.now().plusSeconds(4);
        one.puller().answers.put("reg.test:5000/secret:1", new ImageState.Failed("ImagePullFailed",
                "unauthorized: authentication required", retry));

        StackImages.Resolved r = one.images().resolve(stack, all(stack));
        assertEquals(Map.of("never", "local/only:1", "digest", "reg.test:5000/app@" + DIGEST_1,
                "local", "berth-test/busybox:1"), r.ready());
        assertEquals(List.of("built", "failing", "pulling"), List.copyOf(r.notReady().keySet()));
        assertEquals("built", r.firstFailed().orElseThrow().getKey(), "the first failed service by name");
        assertEquals("pulling", r.firstInProgress().orElseThrow().getKey());
        assertEquals(retry, r.retryAt().orElseThrow(), "the earliest retry of the failed images");
        assertInstanceOf(ImageState.Failed.class, r.notReady().get("built"));
        assertFalse(one.puller().calls.stream().anyMatch(c -> c.startsWith("local/only")),
                "Never asks no puller: " + one.puller().calls);
        assertTrue(new ImagePinStore(etcd.kv, etcd.keys).read("mix").isEmpty(),
                "nothing is pinned: a digest as written, an image without a repository digest, or not ready");
    }
}
