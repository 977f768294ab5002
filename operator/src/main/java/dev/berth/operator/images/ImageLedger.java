package dev.berth.operator.images;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images Berth brought onto this host (pulled or built), by image id, with the reference it brought them as, when,
 * and when a container last used them: the only images the {@link ImageCollector} may remove. Kept in one small JSON
 * file under the operator's state directory ({@link #FILE}), written whole to a temporary file and moved over the old
 * one, so a crash leaves the old or the new ledger, never half of one, and it survives restarts. A ledger that cannot
 * be written stays in memory (the next change tries again); one that cannot be read is set aside and the collector
 * starts with an empty one: it then removes nothing it does not learn of again, which is the safe side.
 */
public final class ImageLedger implements ImageAcquisitions {
    private static final Logger log = LoggerFactory.getLogger(ImageLedger.class);
    /** Below the state directory. */
    public static final String FILE = "images/ledger.json";
    private static final TypeReference<TreeMap<String, Entry>> ENTRIES = new TypeReference<>() {
    };

    /**
     * One image: {@code ref} as Berth brought it ({@code reg/x@sha256:...}, {@code berth-build/shop-web:1a2b...}),
     * {@code acquired} and {@code lastUsed} (null: no container was seen using it yet) as ISO-8601 instants.
     */
    public record Entry(String ref, String acquired, String lastUsed) {
        /** Since when no container used the image as far as the ledger knows: the later of its last use and its arrival. */
        public Instant idleSince() {
            // The later of the two: an image pulled again after it was last used is as fresh as its new arrival.
            Instant used = parse(lastUsed).orElse(Instant.EPOCH);
            Instant came = parse(acquired).orElse(Instant.EPOCH);
            return used.isAfter(came) ? used : came;
        }

        private static Optional<Instant> parse(String at) {
            try {
                return at == null ? Optional.empty() : Optional.of(Instant.parse(at));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private final Path file;
    private final Clock clock;
    private final TreeMap<String, Entry> entries;

    public ImageLedger(Path file, Clock clock) {
        this.file = file.toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock);
        this.entries = load();
    }

    /** The ledger of the operator whose state directory is {@code stateDir}. */
    public static ImageLedger inStateDir(Path stateDir) {
        return new ImageLedger(stateDir.resolve(FILE), Clock.systemUTC());
    }

    public Path file() {
        return file;
    }

    /** Berth brought {@code imageId} onto the host as {@code ref}: it counts as acquired now (a new grace period). */
    @Override
    public synchronized void acquired(String imageId, String ref) {
        Entry old = entries.get(imageId);
        entries.put(imageId, new Entry(ref, clock.instant().toString(), old == null ? null : old.lastUsed()));
        save();
        log.debug("image {} id={} recorded as Berth's", ref, imageId);
    }

    /** Containers use these images now (ids the ledger does not hold are ignored). */
    synchronized void used(Collection<String> imageIds, Instant at) {
        boolean changed = false;
        for (String id : imageIds) {
            Entry e = entries.get(id);
            if (e != null) {
                entries.put(id, new Entry(e.ref(), e.acquired(), at.toString()));
                changed = true;
            }
        }
        if (changed) {
            save();
        }
    }

    /**
     * Drops images gone from the host, except those acquired after {@code listedAt}: an image pulled after Docker's
     * list was taken is not in it and must not be forgotten.
     */
    synchronized void forgetUnless(Collection<String> present, Instant listedAt) {
        boolean changed = entries.entrySet().removeIf(e -> !present.contains(e.getKey())
                && !acquiredAfter(e.getValue(), listedAt));
        if (changed) {
            save();
        }
    }

    /** The image was removed. */
    synchronized void forget(String imageId) {
        if (entries.remove(imageId) != null) {
            save();
        }
    }

    public synchronized Map<String, Entry> entries() {
        return Map.copyOf(entries);
    }

    public synchronized Optional<Entry> entry(String imageId) {
        return Optional.ofNullable(entries.get(imageId));
    }

    private static boolean acquiredAfter(Entry e, Instant at) {
        return Entry.parse(e.acquired()).map(a -> a.isAfter(at)).orElse(false);
    }

    private TreeMap<String, Entry> load() {
        try {
            TreeMap<String, Entry> read = json.readValue(Files.readString(file), ENTRIES);
            return read == null ? new TreeMap<>() : read;
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (IOException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + clock.millis());
            log.warn("cannot read the image ledger {} ({}); moved it to {} and starting an empty one: images Berth"
                    + " brought before are not removed", file, firstLine(e), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                log.warn("cannot move the image ledger {} aside: {}", file, moveFailed.getMessage());
            }
            return new TreeMap<>();
        }
    }

    /** Jackson's messages run over several lines; the log keeps one line per event. */
    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
    }

    /** Whole file, then a move: readers and a crash see the old ledger or the new one. */
    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".ledger-", ".tmp");
            try {
                Files.write(tmp, json.writeValueAsBytes(entries));
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            log.warn("cannot write the image ledger {}: {} (kept in memory; written with the next change)", file,
                    e.getMessage());
        }
    }
}
