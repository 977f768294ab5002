package dev.berth.operator.reliability.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutations of valid manifests, reproducible from a seed: input {@code n} of seed {@code s} is always the same bytes
 * (each input draws from its own {@code Random(s * 1_000_003 + n)}, so a failing input is regenerated alone).
 */
public final class FuzzGenerator {
    private static final Pattern KEY_VALUE = Pattern.compile("^(\\s*(?:- )?[A-Za-z0-9_.<-]+:) (\\S.*)$");
    private static final String[] WRONG_TYPES = {"[1, 2]", "{a: b}", "null", "~", "true", "-1", "''", "\"\"",
            "[]", "{}", "0", "yes", "2001-12-14t21:59:43.10-05:00", "[[[]]]", "? complex\n: key"};
    private static final String[] HUGE_NUMBERS = {"1e308", "1e309", "-1e308", "99999999999999999999999999",
            "-9223372036854775809", "9223372036854775808", "2147483648", "0x7fffffffffffffff", ".inf", "-.inf", ".nan",
            "1_000_000", "0o777", "00000000000000000000000001", "4.9e-324", "-0"};
    private static final String[] UNICODE = {"\u202Eevil", "é", "日本語", "\uD83D\uDE00", "e\u0301", "\u200B", "\uFFFD",
            "\uFEFF", "\u0085", "\u2028", "Ω≈ç√", "\u00A0", "İ", "ß"};
    private static final String[] CONTROL = {"\0", "\u0001", "\u001b[31m", "\u007f", "\r", "\t", "\u000b", "\f"};
    private static final String[] TAGS = {"!!binary ", "!!python/object:os.system ", "!custom ", "!!str ", "!!int ",
            "!!float ", "!!timestamp ", "!!set ", "!!omap ", "!<tag:yaml.org,2002:str> ", "!!map ", "!!seq ", "! ",
            "!!null ", "!!bool "};
    private static final String[] TRAVERSAL = {"../../etc/passwd", "/etc/shadow", "..", ".", "a/../../b",
            "..\\..\\windows", "%2e%2e%2f", "/", "~/.ssh/id_rsa", "/proc/self/environ", "foo/../../../../x"};
    private static final String[] INVALID_UTF8 = {"e9", "c3", "c0af", "eda080", "f8888080", "ff", "fe", "80",
            "e282", "f4908080"};

    private final long seed;
    private final List<FuzzSeeds.Seed> seeds;
    private final List<Mutation> mutations;

    private record Mutation(String name, BiFunction<Random, byte[], byte[]> apply) {
    }

    public FuzzGenerator(long seed, List<FuzzSeeds.Seed> seeds) {
        this.seed = seed;
        this.seeds = List.copyOf(seeds);
        this.mutations = List.of(
                new Mutation("byte-flip", FuzzGenerator::flip),
                new Mutation("truncate", (r, b) -> Arrays.copyOf(b, r.nextInt(b.length))),
                new Mutation("delete-line", (r, b) -> lines(r, b, (lines, i) -> lines.remove(i))),
                new Mutation("duplicate-line", (r, b) -> lines(r, b, (lines, i) -> lines.add(i, lines.get(i)))),
                new Mutation("swap-lines", (r, b) -> lines(r, b, (lines, i) -> {
                    int j = r.nextInt(lines.size());
                    String t = lines.get(i);
                    lines.set(i, lines.get(j));
                    lines.set(j, t);
                })),
                new Mutation("wrong-type", (r, b) -> value(r, b, pick(r, WRONG_TYPES))),
                new Mutation("huge-number", (r, b) -> value(r, b, pick(r, HUGE_NUMBERS))),
                new Mutation("unicode", (r, b) -> insert(r, b, pick(r, UNICODE).getBytes(StandardCharsets.UTF_8))),
                new Mutation("control", (r, b) -> insert(r, b, pick(r, CONTROL).getBytes(StandardCharsets.UTF_8))),
                new Mutation("invalid-utf8", (r, b) -> insert(r, b, hex(pick(r, INVALID_UTF8)))),
                new Mutation("deep-nesting", FuzzGenerator::deep),
                new Mutation("alias-bomb", FuzzGenerator::aliasBomb),
                new Mutation("alias", FuzzGenerator::alias),
                new Mutation("duplicate-key", FuzzGenerator::duplicateKey),
                new Mutation("tag", (r, b) -> value(r, b, pick(r, TAGS) + "value")),
                new Mutation("tag-keep", FuzzGenerator::tagKeep),
                new Mutation("long-name", FuzzGenerator::longName),
                new Mutation("path-traversal", (r, b) -> value(r, b, pick(r, TRAVERSAL))),
                new Mutation("documents", FuzzGenerator::documents),
                new Mutation("crlf-bom-tabs", FuzzGenerator::layout));
    }

    /** Input {@code n} (0-based): seeds in turn, one to three mutations. */
    public FuzzInput input(int n, String name) {
        Random random = new Random(seed * 1_000_003L + n);
        FuzzSeeds.Seed from = seeds.get(n % seeds.size());
        byte[] bytes = from.with(name).getBytes(StandardCharsets.UTF_8);
        int count = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
        List<String> applied = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Mutation m = mutations.get(random.nextInt(mutations.size()));
            bytes = m.apply().apply(random, bytes);
            applied.add(m.name());
        }
        return new FuzzInput(n, from.kind(), name, String.join("+", applied), bytes);
    }

    public List<String> mutationNames() {
        return mutations.stream().map(Mutation::name).toList();
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static byte[] flip(Random r, byte[] b) {
        byte[] out = b.clone();
        int flips = 1 + r.nextInt(3);
        for (int i = 0; i < flips && out.length > 0; i++) {
            out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return out;
    }

    private interface LineEdit {
        void edit(List<String> lines, int index);
    }

    private static byte[] lines(Random r, byte[] b, LineEdit edit) {
        List<String> lines = new ArrayList<>(Arrays.asList(text(b).split("\n", -1)));
        if (lines.isEmpty()) {
            return b;
        }
        edit.edit(lines, r.nextInt(lines.size()));
        return bytes(String.join("\n", lines));
    }

    private interface KeyValueEdit {
        void edit(List<String> lines, int index, Matcher keyValue);
    }

    /** Edits the first {@code key: value} line from a random line on (wrapping around); none: unchanged. */
    private static byte[] keyValue(Random r, byte[] b, KeyValueEdit edit) {
        return lines(r, b, (lines, i) -> {
            for (int tries = 0; tries < lines.size(); tries++) {
                int at = (i + tries) % lines.size();
                Matcher m = KEY_VALUE.matcher(lines.get(at));
                if (m.matches()) {
                    edit.edit(lines, at, m);
                    return;
                }
            }
        });
    }

    /** Replaces the value of a random {@code key: value} line. */
    private static byte[] value(Random r, byte[] b, String replacement) {
        return keyValue(r, b, (lines, at, m) -> lines.set(at, m.group(1) + " " + replacement));
    }

    private static byte[] insert(Random r, byte[] b, byte[] what) {
        int at = b.length == 0 ? 0 : r.nextInt(b.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(what);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static byte[] deep(Random r, byte[] b) {
        int depth = 100 + r.nextInt(20_000);
        String open = r.nextBoolean() ? "[" : "{a: ";
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + close.repeat(r.nextInt(4) == 0 ? depth / 2 : depth);
        return value(r, b, nested);
    }

    private static byte[] aliasBomb(Random r, byte[] b) {
        StringBuilder bomb = new StringBuilder("\n  bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        int levels = 5 + r.nextInt(6);
        for (int i = 1; i <= levels; i++) {
            String prev = "*b" + (i - 1);
            bomb.append("  bomb").append(i).append(": &b").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        String text = text(b);
        int spec = text.indexOf("\nspec:");
        return bytes(spec < 0 ? text + "\nx:" + bomb : text.substring(0, spec) + "\nbombs:" + bomb + text.substring(spec));
    }

    private static byte[] alias(Random r, byte[] b) {
        String[] forms = {"*nope", "*g", "&a x", "&a [*a]", "*", "&", "&a *a", "<<: *nope"};
        return value(r, b, pick(r, forms));
    }

    private static byte[] duplicateKey(Random r, byte[] b) {
        return keyValue(r, b, (lines, at, m) -> lines.add(at + 1, m.group(1).replace("- ", "  ") + " other"));
    }

    private static byte[] tagKeep(Random r, byte[] b) {
        return keyValue(r, b, (lines, at, m) -> lines.set(at, m.group(1) + " " + pick(r, TAGS) + m.group(2)));
    }

    private static byte[] longName(Random r, byte[] b) {
        int[] lengths = {63, 64, 253, 254, 4096, 70_000};
        String name = "n".repeat(lengths[r.nextInt(lengths.length)]);
        String text = text(b);
        return bytes(r.nextBoolean() ? text.replaceFirst("name: \\S+", "name: " + name)
                : text.replaceFirst("(  - name: )\\S+", "$1" + name));
    }

    private static byte[] documents(Random r, byte[] b) {
        String text = text(b);
        String[] forms = {"---\n" + text, text + "---\n" + text, text + "...\n", "--- |\n  x\n" + text,
                text + "---\n", "%YAML 1.2\n---\n" + text, "%TAG ! tag:evil.example,2000:\n---\n" + text,
                text + "\n---\n- a\n", text + "---\n" + text.replace("kind:", "kind: Stack\n#")};
        return bytes(pick(r, forms));
    }

    private static byte[] layout(Random r, byte[] b) {
        String text = text(b);
        return bytes(switch (r.nextInt(4)) {
            case 0 -> text.replace("\n", "\r\n");
            case 1 -> "\u00EF\u00BB\u00BF" + text; // the UTF-8 byte order mark, as Latin-1 characters
            case 2 -> text.replaceFirst("\n  ", "\n\t");
            default -> text.replace("\n", "\r");
        });
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Text edits go through ISO-8859-1 both ways, which keeps every byte as it was (flipped ones too). */
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] hex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
