package dev.berth.operator.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A build context that is a folder on this host: the files Docker would send (minus what {@code .dockerignore}
 * excludes), their SHA-256 over sorted relative paths, modes and contents, and the same files as a tar.
 *
 * <p>{@code .dockerignore} is honoured as Docker's CLI does for the usual forms: one pattern a line, {@code #}
 * comments, {@code *}, {@code ?}, {@code **} (any number of folders), a leading {@code /} ignored, {@code !} to
 * take an earlier exclusion back (the last matching line decides), a matched folder excludes all it holds. Not
 * honoured: character classes ({@code [a-z]}) and backslash escapes, which are matched literally. The Dockerfile
 * and {@code .dockerignore} are always sent, as the CLI does. Only regular files, executables and symbolic links
 * are sent (sockets, devices and the like are left out); empty folders are not sent.
 */
final class HostContext {
    private final Path root;
    private final List<String> files;

    private HostContext(Path root, List<String> files) {
        this.root = root;
        this.files = files;
    }

    /** Reads the folder's listing; {@code dockerfile} is the Dockerfile's path relative to it. */
    static HostContext of(Path root, String dockerfile) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("build context " + root + " is not a folder on this host");
        }
        List<Rule> rules = rules(root.resolve(".dockerignore"));
        List<String> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = relative(root, file);
                boolean kept = name.equals(dockerfile) || name.equals(".dockerignore") || !excluded(rules, name);
                if (kept && (attrs.isRegularFile() || attrs.isSymbolicLink())) {
                    files.add(name);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return new HostContext(root, List.copyOf(files));
    }

    List<String> files() {
        return files;
    }

    /** SHA-256 (hex) over each file's relative path, mode and content (a link's target), in sorted order. */
    String hash() throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        for (String name : files) {
            Path file = root.resolve(name);
            digest.update((name + "\0" + mode(file) + "\0").getBytes(StandardCharsets.UTF_8));
            if (Files.isSymbolicLink(file)) {
                digest.update(Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8));
            } else {
                try (InputStream in = Files.newInputStream(file)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        digest.update(buffer, 0, n);
                    }
                }
            }
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    void writeTar(OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            Date time = new Date(0); // what is hashed is what is sent: times are neither
            for (String name : files) {
                Path file = root.resolve(name);
                TarArchiveEntry entry;
                boolean link = Files.isSymbolicLink(file);
                if (link) {
                    entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(file).toString());
                    entry.setMode(0120777);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setMode(0100000 | mode(file));
                    entry.setSize(Files.size(file));
                }
                entry.setModTime(time);
                tar.putArchiveEntry(entry);
                if (!link) {
                    Files.copy(file, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    private static int mode(Path file) throws IOException {
        if (Files.isSymbolicLink(file)) {
            return 0777;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private record Rule(Pattern pattern, boolean exception) {
    }

    private static List<Rule> rules(Path ignoreFile) throws IOException {
        List<Rule> rules = new ArrayList<>();
        if (!Files.isRegularFile(ignoreFile)) {
            return rules;
        }
        for (String raw : Files.readAllLines(ignoreFile, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = line.startsWith("!");
            if (exception) {
                line = line.substring(1).strip();
            }
            line = clean(line);
            if (!line.isEmpty()) {
                rules.add(new Rule(Pattern.compile(regex(line)), exception));
            }
        }
        return rules;
    }

    /** Docker cleans each pattern like a path: no leading or trailing '/', no "." parts, no doubled '/'. */
    private static String clean(String pattern) {
        List<String> parts = new ArrayList<>();
        for (String part : pattern.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    private static String regex(String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                    i++;
                    out.append("(.*/)?"); // "**/" is zero or more folders
                } else {
                    out.append(".*");
                }
            } else if (c == '*') {
                out.append("[^/]*");
            } else if (c == '?') {
                out.append("[^/]");
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    /** A path is excluded when the last rule that matches it, or one of its folders, is not an exception. */
    private static boolean excluded(List<Rule> rules, String name) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matches(rule.pattern(), name)) {
                excluded = !rule.exception();
            }
        }
        return excluded;
    }

    private static boolean matches(Pattern pattern, String name) {
        if (pattern.matcher(name).matches()) {
            return true;
        }
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            if (pattern.matcher(name.substring(0, slash)).matches()) {
                return true;
            }
        }
        return false;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
