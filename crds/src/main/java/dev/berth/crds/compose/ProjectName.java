package dev.berth.crds.compose;

import java.util.Locale;

/**
 * The two names of an imported project. Compose's project name is what Docker volume and network names are made
 * of ({@code my_shop} + {@code data} → {@code my_shop_data}), so it must be Compose's exactly for the project's
 * data to be found again. The Berth stack name is a DNS label and may differ ({@code my-shop}).
 *
 * @param compose the Compose project name, as compose-go normalises it
 * @param stack   the Berth stack name
 */
record ProjectName(String compose, String stack) {
    /**
     * compose-go's {@code NormalizeProjectName}: lowercase, only {@code [a-z0-9_-]} kept, leading {@code _} and
     * {@code -} dropped ({@code transfer.zip} → {@code transferzip}, {@code My_Shop} → {@code my_shop}).
     */
    static String normalize(String name) {
        String kept = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "");
        return kept.replaceAll("^[_-]+", "");
    }

    /** Whether Compose takes {@code name} as it is where it refuses to normalise ({@code -p}, COMPOSE_PROJECT_NAME). */
    static boolean valid(String name) {
        return !name.isEmpty() && normalize(name).equals(name);
    }

    /** The Docker name Compose gives a volume or network the file declares without {@code name:}. */
    String docker(String key) {
        return compose + "_" + key;
    }
}
