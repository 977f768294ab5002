package dev.berth.operator;

import java.util.UUID;

/**
 * Where the real etcd and dockerd of the test run are (scripts/env-up.sh exports them). Missing variables
 * fail the test: a test that needs etcd must never pass without one.
 */
public final class TestEnv {
    private TestEnv() {
    }

    public static String etcdEndpoints() {
        return required("BERTH_ETCD_ENDPOINTS");
    }

    public static String dockerHost() {
        return required("DOCKER_HOST");
    }

    public static String testImage() {
        String image = System.getenv("BERTH_TEST_IMAGE");
        return image == null ? "berth-test/busybox:1" : image;
    }

    /** A short unique name for this run: test objects are prefixed with it and only those are deleted. */
    public static String uniqueName(String stem) {
        return stem + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the tests through scripts/test.sh,"
                    + " or source /var/lib/berth-env/env.sh after scripts/env-up.sh");
        }
        return value;
    }
}
