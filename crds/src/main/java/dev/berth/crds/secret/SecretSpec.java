package dev.berth.crds.secret;

import java.util.Map;
import java.util.TreeMap;

/**
 * A Secret: named values that only operators (and CLIs) holding the cluster key can read.
 * {@code encryptedData} maps each key to an envelope ({@code berth:v1:<key id>:<base64>}, AES-256-GCM, bound to the
 * secret's name and the key). {@code stringData} is plain text a person writes in a manifest: {@code berth apply}
 * encrypts it into {@code encryptedData} before anything reaches etcd, and a GitSource refuses it. What is stored in
 * etcd therefore never has {@code stringData}. {@code type} is {@code Opaque} (the default) for now.
 */
public record SecretSpec(String type, Map<String, String> encryptedData, Map<String, String> stringData,
                         String registry) {
    public static final String OPAQUE = "Opaque";
    /**
     * Credentials for an image registry: {@code registry} names its host ({@code registry.example.com},
     * {@code 10.0.0.5:5000}, {@code docker.io}); the data keys {@code username} and {@code password} hold the login.
     * Operators pull (and push builds) with the Secret whose registry matches the image's.
     */
    public static final String REGISTRY = "Registry";
    public static final String USERNAME_KEY = "username";
    public static final String PASSWORD_KEY = "password";
    /** etcd refuses values over 1.5 MiB; a single value this large is a mistake, not a secret. */
    public static final int MAX_VALUE_BYTES = 500 * 1024;

    public SecretSpec {
        type = type == null ? OPAQUE : type;
        encryptedData = encryptedData == null ? Map.of() : new TreeMap<>(encryptedData);
        stringData = stringData == null ? Map.of() : new TreeMap<>(stringData);
        encryptedData = java.util.Collections.unmodifiableMap(encryptedData);
        stringData = java.util.Collections.unmodifiableMap(stringData);
    }

    /** An Opaque or Registry Secret without a registry host given (the registry is only for type Registry). */
    public SecretSpec(String type, Map<String, String> encryptedData, Map<String, String> stringData) {
        this(type, encryptedData, stringData, null);
    }

    /**
     * Whether this Secret holds a registry login. Not a property: Jackson would otherwise write it as
     * {@code registry: false} over the host, and a changed host would compare as unchanged.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isRegistry() {
        return REGISTRY.equals(type);
    }

    /** Every key, encrypted or not yet. */
    public java.util.SortedSet<String> keys() {
        var keys = new java.util.TreeSet<>(encryptedData.keySet());
        keys.addAll(stringData.keySet());
        return keys;
    }

    /** Whether any value is still plain text (must be encrypted before it is stored). */
    public boolean hasPlainValues() {
        return !stringData.isEmpty();
    }
}
