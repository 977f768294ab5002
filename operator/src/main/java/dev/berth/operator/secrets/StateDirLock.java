package dev.berth.operator.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * This operator's hold on its state directory ({@code <state>/lock}, holding the instance name): two operators on one
 * state directory would each remove the other's Secret and Config files (each counts only its own containers'
 * mounts), so the second one does not start. The lock goes with the process, so a killed operator leaves none behind.
 */
public final class StateDirLock implements AutoCloseable {
    private final Path stateDir;
    private final String instance;
    private FileChannel channel;
    private FileLock lock;

    public StateDirLock(Path stateDir, String instance) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.instance = instance;
    }

    /** The state directory cannot be had: a one-line message for the person starting the operator. */
    public static final class Unavailable extends IllegalStateException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** @throws Unavailable in one line naming the directory, when another operator holds it */
    public synchronized void acquire() {
        Path file = stateDir.resolve("lock");
        FileChannel opened = null;
        try {
            Files.createDirectories(stateDir);
            opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = opened.tryLock();
            } catch (OverlappingFileLockException e) {
                held = null; // another operator in this JVM (tests)
            }
            if (held == null) {
                String other = Files.readString(file, StandardCharsets.UTF_8).strip();
                throw new Unavailable("state directory " + stateDir + " is in use by another operator"
                        + (other.isEmpty() ? "" : " (instance " + other + ")") + ": give each operator on this host"
                        + " its own --state-dir");
            }
            opened.truncate(0);
            opened.write(ByteBuffer.wrap((instance + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            opened.force(false);
            channel = opened;
            lock = held;
        } catch (IOException e) {
            closeQuietly(opened);
            throw new Unavailable("cannot lock state directory " + stateDir + " (" + e + "): give the operator a"
                    + " --state-dir it can write");
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
        lock = null;
        channel = null;
    }

    private static void closeQuietly(FileChannel c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
