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
 * Nothing else in the operator's process may open the lock file: closing any descriptor of it drops the lock.
 */
public final class StateDirLock implements AutoCloseable {
    /**
     * The state directories operators of this JVM hold, with their instance. Process-wide on purpose: POSIX locks
     * belong to the process, and closing any descriptor of the lock file drops them all, so a second operator in the
     * same JVM (tests) must be refused before it opens the file, or it would free the first one's lock.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Path, String> HELD_HERE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Path stateDir;
    private final String instance;
    private FileChannel channel;
    private FileLock lock;
    /** The directory's real path, as HELD_HERE knows it: a symlink or another spelling is the same directory. */
    private Path heldKey;

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
        Path key;
        try {
            Files.createDirectories(stateDir);
            key = stateDir.toRealPath();
        } catch (IOException e) {
            throw new Unavailable("cannot lock state directory " + stateDir + " (" + e + "): give the operator a"
                    + " --state-dir it can write");
        }
        String holder = HELD_HERE.putIfAbsent(key, instance);
        if (holder != null) {
            throw inUse(holder);
        }
        FileChannel opened = null;
        try {
            opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = opened.tryLock();
            } catch (OverlappingFileLockException e) {
                held = null;
            }
            if (held == null) {
                throw inUse(Files.readString(file, StandardCharsets.UTF_8).strip());
            }
            opened.truncate(0);
            opened.write(ByteBuffer.wrap((instance + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            opened.force(false);
            channel = opened;
            lock = held;
            heldKey = key;
        } catch (IOException e) {
            closeQuietly(opened);
            HELD_HERE.remove(key, instance);
            throw new Unavailable("cannot lock state directory " + stateDir + " (" + e + "): give the operator a"
                    + " --state-dir it can write");
        } catch (RuntimeException e) {
            closeQuietly(opened);
            HELD_HERE.remove(key, instance);
            throw e;
        }
    }

    private Unavailable inUse(String other) {
        return new Unavailable("state directory " + stateDir + " is in use by another operator"
                + (other.isEmpty() ? "" : " (instance " + other + ")") + ": give each operator on this host its own"
                + " --state-dir");
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
        boolean held = channel != null;
        closeQuietly(channel);
        if (held) {
            HELD_HERE.remove(heldKey, instance);
        }
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
