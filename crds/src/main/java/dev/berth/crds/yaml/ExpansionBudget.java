package dev.berth.crds.yaml;

/**
 * How large a file may grow through its aliases: the guard against alias bombs ("billion laughs", a few lines of
 * nested aliases that expand to billions of values). The size counted is about the file's size written out without
 * aliases: one per node plus the characters of keys and scalars. An alias counts the whole size of the value it
 * names, and is never copied, so a bomb is refused before it grows.
 *
 * <p>The limit is twice the largest file Berth reads: a file written out without aliases cannot reach it (every
 * node takes at least one character of the file), so only aliases can, and whatever reads the tree after (the
 * schema's JSON tree, the compose conversion) holds at most about twice what the largest plain file gives it.
 * SnakeYAML's own guard ({@code LoaderOptions.maxAliasesForCollections}) lives in its composer, which Jackson's
 * streaming parser does not use, so it does not apply here.
 *
 * <p>One budget serves all documents of one file: a file of many small bombs is as large as one big one.
 */
public final class ExpansionBudget {
    private final long limit;
    private long used;

    private ExpansionBudget(long limit) {
        this.limit = limit;
    }

    /** The budget for a file of at most {@code maxFileBytes} bytes. */
    public static ExpansionBudget forFileLimit(long maxFileBytes) {
        return new ExpansionBudget(2 * maxFileBytes);
    }

    public long limit() {
        return limit;
    }

    long used() {
        return used;
    }

    /**
     * Counts {@code size} more against the limit; the compose import also spends what variable expansion and
     * {@code extends} produce.
     *
     * @return false once the file has grown past the limit
     */
    public boolean spend(long size) {
        used += size;
        return used <= limit;
    }
}
