package dev.berth.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiguresTest {
    @Test
    void rowsAreAppendedOneLineEach(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/figures.tsv");
        Figures figures = new Figures(file);
        figures.record(new Figure("kill loop", 20, 0, "kills 20 / duplicates 0"));
        figures.record(new Figure("fuzz", 1000, 1, "crashes 1"));
        assertEquals(List.of("kill loop\t20\t0\tkills 20 / duplicates 0", "fuzz\t1000\t1\tcrashes 1"),
                Files.readAllLines(file));
    }

    @Test
    void aFigureIsOneLine() {
        assertThrows(IllegalArgumentException.class, () -> new Figure("a\tb", 1, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Figure("a", 1, 0, "x\ny"));
    }
}
