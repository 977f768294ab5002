package dev.berth.operator.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secret and Config files of this host, under the operator's state directory: Secrets on a tmpfs
 * ({@code <state>/secrets}, mounted by the operator when it is not one already; never written to disk), Configs in
 * {@code <state>/configs}, both mode 0700. Each content lives in {@code <root>/<digest>/} (see
 * {@link FileSet#digest}), written once, atomically (a temporary directory renamed into place), and touched on
 * every use; {@link #collect} removes what no container mounts any more. The salt of the digests is
 * {@code <state>/salt}, made once per host and kept, so paths survive restarts and reboots.
 */
public final class HostFiles {
    private static final Logger log = LoggerFactory.getLogger(HostFiles.class);
    public static final String SECRETS = "secrets";
    public static final String CONFIGS = "configs";
    /** How long a directory just written or used is kept although no container mounts it yet. */
    public static final Duration GRACE = Duration.ofSeconds(60);
    private static final String TMP_PREFIX = ".tmp-";
    private static final String TMPFS_SIZE = "64m";
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> LISTABLE_DIR = PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path stateDir;
    private final Path secretsRoot;
    private final Path configsRoot;
    private final Clock clock;
    private final Duration grace;
    /** Writes and collections take turns: a directory reused by a pass is never removed under it. */
    private final Object lock = new Object();
    private byte[] salt;
    /** Which object each digest directory holds ("secret/db"), as place() last saw it: removals name it. */
    private final Map<String, String> objects = new java.util.HashMap<>();

    public HostFiles(Path stateDir, Clock clock, Duration grace) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.secretsRoot = this.stateDir.resolve(SECRETS);
        this.configsRoot = this.stateDir.resolve(CONFIGS);
        this.clock = clock;
        this.grace = grace;
    }

    public HostFiles(Path stateDir) {
        this(stateDir, Clock.systemUTC(), GRACE);
    }

    public Path secretsRoot() {
        return secretsRoot;
    }

    public Path configsRoot() {
        return configsRoot;
    }

    /**
     * Writes the files of {@code set} unless the same content is there already (then marks it used); returns the
     * host path to bind-mount: the file, or the directory.
     */
    public Path place(FileSet set) throws FilesException {
        synchronized (lock) {
            boolean secret = set.kind().equals("secret");
            Path root = secret ? secretsRoot() : configsRoot();
            try {
                String digest = set.digest(salt());
                objects.put(digest, set.kind() + "/" + set.name());
                Path dir = root.resolve(digest);
                Path entry = dir.resolve(set.leaf());
                if (Files.exists(entry)) {
                    Files.setLastModifiedTime(dir, FileTime.from(clock.instant()));
                    return entry;
                }
                // Looked at before every write, not once: a tmpfs unmounted under a running operator must not make
                // it write Secrets to the disk below.
                if (secret) {
                    ensureTmpfs();
                } else {
                    privateDir(root);
                }
                // A directory without its entry was changed by hand: written again whole.
                deleteTree(dir);
                write(root, dir, set);
                log.info("wrote {} files {} for {}/{}", set.kind(), digest, set.kind(), set.name());
                return entry;
            } catch (IOException | RuntimeException e) {
                throw new FilesException(FilesException.SECRET_STORE_UNAVAILABLE, "cannot write the files of "
                        + set.kind() + "/" + set.name() + " under " + root + ": " + describe(e));
            }
        }
    }

    /**
     * A digest of the value of {@code secret}'s key {@code key} made with this host's salt (as the paths are), for
     * the spec hash of a container that gets the value in its environment: the hash changes with the value, and no one
     * who reads it can test guesses of the value without the salt.
     */
    public String valueDigest(String secret, String key, byte[] value) throws FilesException {
        synchronized (lock) {
            try {
                return FileSet.file("env", secret, key, value, 0, 0, 0).digest(salt());
            } catch (IOException | RuntimeException e) {
                throw new FilesException(FilesException.SECRET_STORE_UNAVAILABLE, "cannot read this host's salt under "
                        + stateDir + ": " + describe(e));
            }
        }
    }

    private void write(Path root, Path dir, FileSet set) throws IOException {
        Path tmp = Files.createTempDirectory(root, TMP_PREFIX,
                PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        try {
            Path parent = tmp;
            if (set.directory()) {
                parent = Files.createDirectory(tmp.resolve(set.leaf()));
                // The container's user lists it; its files keep their own mode.
                Files.setPosixFilePermissions(parent, LISTABLE_DIR);
            }
            for (Map.Entry<String, byte[]> e : set.entries().entrySet()) {
                writeFile(parent.resolve(e.getKey()), e.getValue(), set);
            }
            Files.setLastModifiedTime(tmp, FileTime.from(clock.instant()));
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Written meanwhile with the same content (the digest says so): use that one.
                deleteTree(tmp);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void writeFile(Path file, byte[] value, FileSet set) throws IOException {
        try (SeekableByteChannel out = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buffer = ByteBuffer.wrap(value);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
        // The mode first, while the operator still owns the file (after the chown only CAP_FOWNER could change it).
        Files.setPosixFilePermissions(file, permissions(set.mode()));
        // Numeric ids, as the container sees them: no user lookup on this host. Needs CAP_CHOWN unless they are the
        // operator's own.
        if (!Integer.valueOf(set.uid()).equals(Files.getAttribute(file, "unix:uid"))) {
            Files.setAttribute(file, "unix:uid", set.uid());
        }
        if (!Integer.valueOf(set.gid()).equals(Files.getAttribute(file, "unix:gid"))) {
            Files.setAttribute(file, "unix:gid", set.gid());
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }

    /** The host's salt: made once (32 random bytes, 0600), then read from {@code <state>/salt}. */
    private byte[] salt() throws IOException {
        if (salt != null) {
            return salt;
        }
        privateDir(stateDir);
        Path file = stateDir.resolve("salt");
        if (!Files.exists(file)) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path tmp = Files.createTempFile(stateDir, TMP_PREFIX, ".salt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, fresh);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
            }
        }
        byte[] read = Files.readAllBytes(file);
        if (read.length < 16) {
            throw new IOException(file + " holds " + read.length + " bytes, not a salt (delete it to make a new one:"
                    + " every container using Secrets or Configs on this host is then replaced once)");
        }
        salt = read;
        return salt;
    }

    /**
     * {@code <state>/secrets} as a tmpfs: already one (mounted by the operator before, or given from outside), else
     * mounted now. Secrets are never written to a disk.
     */
    private void ensureTmpfs() throws FilesException {
        try {
            privateDir(secretsRoot);
            if (!Tmpfs.isTmpfs(secretsRoot)) {
                Tmpfs.mount(secretsRoot, TMPFS_SIZE);
                log.info("mounted a tmpfs of {} at {} for Secret files", TMPFS_SIZE, secretsRoot);
            }
            if (!Tmpfs.isTmpfs(secretsRoot)) {
                throw new IOException("still no tmpfs at " + secretsRoot + " after mounting one");
            }
        } catch (IOException | RuntimeException e) {
            throw new FilesException(FilesException.SECRET_STORE_UNAVAILABLE, secretsRoot
                    + " is not a tmpfs and one cannot be mounted there (" + describe(e) + "); Secrets are never"
                    + " written to a disk: mount a tmpfs there, or run the operator as root in the host's mount namespace"
                    + " (docs/secrets.md)");
        }
    }

    private static void privateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        if (!Files.getPosixFilePermissions(dir).equals(PRIVATE_DIR)) {
            Files.setPosixFilePermissions(dir, PRIVATE_DIR);
        }
    }

    /**
     * Removes every digest directory that no container mounts from and that was not written or used within the
     * grace (counted up to {@code listedAt}, when the list of mounts was taken, so a container created after a list
     * never loses its files). Returns when to look again for directories still within their grace.
     *
     * @param mountSources the host paths every container of this operator's instance mounts, any state
     */
    public Optional<Instant> collect(Set<String> mountSources, Instant listedAt) {
        synchronized (lock) {
            Optional<Instant> next = Optional.empty();
            for (Path root : List.of(secretsRoot, configsRoot)) {
                Optional<Instant> again = collect(root, used(root, mountSources), listedAt);
                if (again.isPresent() && (next.isEmpty() || again.get().isBefore(next.get()))) {
                    next = again;
                }
            }
            return next;
        }
    }

    private Optional<Instant> collect(Path root, Set<String> used, Instant listedAt) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant until = listedAt.isBefore(now) ? listedAt : now;
        Optional<Instant> next = Optional.empty();
        List<Path> children;
        try (Stream<Path> list = Files.list(root)) {
            children = list.toList();
        } catch (IOException e) {
            log.warn("cannot list {} to remove unused files: {}", root, e.getMessage());
            return Optional.empty();
        }
        for (Path dir : children) {
            String name = dir.getFileName().toString();
            if (used.contains(name) || !Files.isDirectory(dir)) {
                continue;
            }
            Instant touched;
            try {
                touched = Files.getLastModifiedTime(dir).toInstant();
            } catch (IOException e) {
                continue;
            }
            Instant expires = touched.plus(grace);
            if (expires.isBefore(until)) {
                try {
                    deleteTree(dir);
                    String object = objects.remove(name);
                    if (object != null) {
                        log.info("{}: removed unused files {}", object, name);
                    } else if (!name.startsWith(TMP_PREFIX)) {
                        // Written before this operator started: which object it held is not known any more.
                        log.info("{}: removed unused files {} (from before this operator started)",
                                root.getFileName(), name);
                    }
                } catch (IOException e) {
                    log.warn("cannot remove unused {} files {}: {}", root.getFileName(), name, e.getMessage());
                }
            } else if (next.isEmpty() || expires.isBefore(next.get())) {
                next = Optional.of(expires);
            }
        }
        return next;
    }

    /** The digest directories under {@code root} that some mount comes from. */
    private static Set<String> used(Path root, Set<String> mountSources) {
        Set<String> used = new java.util.HashSet<>();
        for (String source : mountSources) {
            Path path = Path.of(source).normalize();
            if (path.startsWith(root) && path.getNameCount() > root.getNameCount()) {
                used.add(path.getName(root.getNameCount()).toString());
            }
        }
        return used;
    }

    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
