package dev.berth.operator.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the reliability suite's figures go: one TSV line per {@link Figure}, appended (surefire's forks may write at
 * the same time; each line is one small append) to {@code target/reliability/figures.tsv} of the module, or to the
 * file named by the system property {@code berth.figures}. {@code scripts/reliability-figures.sh} turns the file
 * into the table CI prints and keeps.
 */
public final class Figures {
    private final Path file;

    public Figures(Path file) {
        this.file = file;
    }

    /** The run's figures file. */
    public static Figures ofRun() {
        return new Figures(Path.of(System.getProperty("berth.figures", "target/reliability/figures.tsv")));
    }

    public void record(Figure figure) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, figure.tsv(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the figure to " + file, e);
        }
    }
}
