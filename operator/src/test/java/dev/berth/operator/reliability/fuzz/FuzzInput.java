package dev.berth.operator.reliability.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * One generated input: its number, the seed's kind, the name it was generated for (its etcd key), the mutations
 * applied (for the report: an input is reproduced from the seed and its number) and the bytes.
 */
public record FuzzInput(int number, String kind, String name, String mutation, byte[] bytes) {
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "#" + number + " " + kind + "/" + name + " (" + mutation + ")";
    }
}
