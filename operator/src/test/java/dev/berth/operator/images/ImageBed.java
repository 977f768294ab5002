package dev.berth.operator.images;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.berth.crds.Kinds;
import dev.berth.operator.EtcdFixture;
import dev.berth.operator.Manifest;
import dev.berth.operator.TestOperator;
import dev.berth.operator.secrets.SecretKeyring;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Registry Secrets in a real etcd, key files, and a capture of everything logged, for the image tests. */
final class ImageBed {
    private ImageBed() {
    }

    /** A key file with one new key (0600), deleted with the JVM. */
    static Path keyFile() {
        try {
            Path file = Files.createTempFile("berth-key-", ".txt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            Files.writeString(file, SecretKeyring.newKeyLine() + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SecretKeyring keyring(Path file) {
        try {
            return SecretKeyring.load(file);
        } catch (dev.berth.operator.secrets.SecretKeyException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** A Secret of type Registry as etcd holds it (values encrypted with the keyring's newest key). */
    static String registrySecret(SecretKeyring keyring, String name, String registry, String username,
                                 String password) {
        return Manifest.of("Secret", name, "type: Registry\nregistry: \"" + registry + "\"\nencryptedData:\n"
                + "  username: \"" + keyring.encrypt(name, "username", username.getBytes(StandardCharsets.UTF_8))
                + "\"\n  password: \"" + keyring.encrypt(name, "password", password.getBytes(StandardCharsets.UTF_8))
                + "\"\n");
    }

    static void put(EtcdFixture etcd, String name, String manifest) {
        etcd.kv.put(etcd.keys.desired("secret", name), manifest);
    }

    /** The Secrets of the fixture's prefix, mirrored as the operator mirrors them; started. */
    static dev.berth.operator.cache.DesiredInformer secrets(EtcdFixture etcd) {
        var informer = new dev.berth.operator.cache.DesiredInformer(Kinds.standard().byKind("Secret").orElseThrow(),
                etcd.kv, etcd.store, TestOperator.FAST_RETRY, new SimpleMeterRegistry());
        informer.start();
        return informer;
    }

    /**
     * Every line logged while open, Berth's and docker-java's down to DEBUG, everything else from INFO, except the
     * HTTP client's wire log (it prints request headers by design: the operator's logback.xml keeps it at WARN
     * whatever BERTH_LOG_LEVEL says, and so does this capture). A test greps it for what must never be logged.
     */
    static final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private static final List<String> LOGGERS = List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "dev.berth",
                "com.github.dockerjava", "org.apache.hc");
        private static final List<Level> LEVELS = List.of(Level.INFO, Level.DEBUG, Level.DEBUG, Level.WARN);
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final LoggerContext context;
        private final List<Level> before = new java.util.ArrayList<>();

        LogCapture() {
            context = (LoggerContext) LoggerFactory.getILoggerFactory();
            setContext(context);
            for (int i = 0; i < LOGGERS.size(); i++) {
                Logger logger = context.getLogger(LOGGERS.get(i));
                before.add(logger.getLevel());
                logger.setLevel(LEVELS.get(i));
            }
            start();
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
            for (var t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            lines.add(line.toString());
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this);
            for (int i = 0; i < LOGGERS.size(); i++) {
                context.getLogger(LOGGERS.get(i)).setLevel(before.get(i));
            }
            stop();
        }
    }
}
