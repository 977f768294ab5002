package dev.berth.crds.compose;

import java.util.Locale;

/** Compose names (services, networks, projects) as Berth names: DNS labels, lowercase, {@code _} → {@code -}. */
final class DnsNames {
    private DnsNames() {
    }

    /** The DNS label for {@code name}, or an empty string when nothing of it is usable. */
    static String of(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-");
        String trimmed = lower.replaceAll("^-+", "").replaceAll("-+$", "");
        if (trimmed.length() > 63) {
            trimmed = trimmed.substring(0, 63).replaceAll("-+$", "");
        }
        return trimmed;
    }
}
