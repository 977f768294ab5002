package dev.berth.crds.secret;

/** One key of a Secret, by name: where a password, token or environment value comes from. */
public record SecretKeyRef(String name, String key) {
}
