package dev.berth.operator.secrets;

import java.util.Optional;

/** What can be told about an envelope without a key: which key sealed it and how long its plaintext is. */
public final class SecretEnvelopes {
    private SecretEnvelopes() {
    }

    /** The plaintext length in bytes, from the base64 length alone; empty if the envelope is malformed. */
    public static Optional<Long> plaintextSize(String envelope) {
        if (SecretKeyring.keyIdOf(envelope).isEmpty()) {
            return Optional.empty();
        }
        java.util.OptionalInt length = dev.berth.crds.secret.DataRules.plaintextLength(envelope);
        return length.isPresent() ? Optional.of((long) length.getAsInt()) : Optional.empty();
    }
}
