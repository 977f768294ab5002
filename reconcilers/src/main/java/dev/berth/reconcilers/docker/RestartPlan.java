package dev.berth.reconcilers.docker;

/** Docker's restart policy: name is no, always, unless-stopped or on-failure (with maxRetries, 0 = unlimited). */
public record RestartPlan(String name, int maxRetries) implements Canonical.Form {
    /** Reads Compose's forms: {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure[:N]}. */
    public static RestartPlan parse(String text) {
        String s = text == null ? "unless-stopped" : text.strip();
        if (s.startsWith("on-failure")) {
            String rest = s.substring("on-failure".length());
            if (rest.isEmpty()) {
                return new RestartPlan("on-failure", 0);
            }
            if (rest.startsWith(":")) {
                try {
                    return new RestartPlan("on-failure", Integer.parseInt(rest.substring(1)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("restart \"" + text + "\": retries must be a number", e);
                }
            }
        }
        return switch (s) {
            case "no", "always", "unless-stopped" -> new RestartPlan(s, 0);
            default -> throw new IllegalArgumentException(
                    "restart \"" + text + "\" is not one of no, always, unless-stopped, on-failure[:N]");
        };
    }

    @Override
    public void writeCanonical(Canonical out) {
        out.record("RestartPlan")
                .field("name", name)
                .field("maxRetries", maxRetries);
    }
}
