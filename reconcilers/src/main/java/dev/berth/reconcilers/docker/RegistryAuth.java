package dev.berth.reconcilers.docker;

/**
 * A login for one registry ({@code registry} as image references name it: {@code registry.example.com},
 * {@code 10.0.0.5:5000}, {@code docker.io}). {@link #toString()} never shows the password.
 */
public record RegistryAuth(String registry, String username, String password) {
    @Override
    public String toString() {
        return "RegistryAuth[" + registry + ", user " + username + "]";
    }
}
