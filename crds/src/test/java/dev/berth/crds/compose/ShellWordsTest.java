package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void splitsLikeCompose() {
        assertEquals(Optional.of(List.of("sh", "-c", "echo hi; exit 0")), ShellWords.split("sh -c 'echo hi; exit 0'"));
        assertEquals(Optional.of(List.of("a b", "c\"d", "e")), ShellWords.split("\"a b\" \"c\\\"d\"   e"));
        assertEquals(Optional.of(List.of("x y")), ShellWords.split("x\\ y"));
        assertEquals(Optional.empty(), ShellWords.split("echo 'open"));
    }
}
