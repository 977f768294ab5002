package dev.berth.crds.stack;

import java.util.ArrayDeque;
import java.util.Deque;

/** Container paths compared as the kernel sees them, as plain text (no file system is involved). */
public final class MountPaths {
    private MountPaths() {
    }

    /** {@code /a//b/./c/../d/} as {@code /a/b/d}; nothing climbs above {@code /}. */
    public static String normalise(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        return "/" + String.join("/", segments);
    }

    /** Whether {@code path} is {@code dir} or inside it (both normalised). */
    public static boolean within(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir.equals("/") ? "/" : dir + "/");
    }
}
