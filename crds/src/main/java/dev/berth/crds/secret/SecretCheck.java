package dev.berth.crds.secret;

import dev.berth.crds.CheckContext;
import dev.berth.crds.SpecCheck;

import java.util.OptionalInt;

/**
 * A Secret's keys are file names, its values at most {@link SecretSpec#MAX_VALUE_BYTES} of plain text each, and the
 * whole as stored (encrypted) at most {@link DataRules#MAX_TOTAL_BYTES}. A key in both maps would have two values.
 * An envelope's plain length is known without the key (its length less nonce and tag), so sizes are checked here,
 * where a person sees the line, rather than when an operator decrypts.
 */
public final class SecretCheck implements SpecCheck<SecretSpec> {
    private static final String ENCRYPTED = "spec.encryptedData";
    private static final String PLAIN = "spec.stringData";

    @Override
    public Class<SecretSpec> specType() {
        return SecretSpec.class;
    }

    @Override
    public void check(SecretSpec spec, CheckContext context) {
        if (spec.keys().isEmpty()) {
            context.error("spec", "a Secret needs at least one key, in stringData (plain text that berth apply "
                    + "encrypts) or encryptedData");
            return;
        }
        DataCheck.keys(spec.encryptedData(), ENCRYPTED, context);
        DataCheck.keys(spec.stringData(), PLAIN, context);
        long stored = 0;
        for (var e : spec.encryptedData().entrySet()) {
            OptionalInt plain = DataRules.plaintextLength(e.getValue());
            if (plain.isEmpty()) {
                context.errorAtValue(ENCRYPTED, e.getKey(), "not an encrypted value: the base64 after the key id is "
                        + "broken or too short to hold a nonce and tag (write it with berth create secret)");
            } else if (plain.getAsInt() > SecretSpec.MAX_VALUE_BYTES) {
                context.errorAtValue(ENCRYPTED, e.getKey(), "the encrypted value holds " + plain.getAsInt()
                        + " bytes; the limit is " + DataRules.bytes(SecretSpec.MAX_VALUE_BYTES) + " per key");
            }
            stored += DataRules.utf8Length(e.getKey()) + e.getValue().length();
        }
        for (var e : spec.stringData().entrySet()) {
            if (spec.encryptedData().containsKey(e.getKey())) {
                context.errorAtKey(PLAIN, e.getKey(), "key \"" + e.getKey() + "\" is also in encryptedData (line "
                        + context.lineOfKey(ENCRYPTED, e.getKey()) + "); a key has one value");
            }
            int bytes = DataRules.utf8Length(e.getValue());
            DataCheck.plainValue(PLAIN, e.getKey(), bytes, context);
            stored += DataRules.utf8Length(e.getKey()) + DataRules.envelopeLength(bytes);
        }
        if (stored > DataRules.MAX_TOTAL_BYTES) {
            context.error("spec", "the values take " + stored + " bytes encrypted (encryption adds about a third); "
                    + "the limit for one Secret is " + DataRules.bytes(DataRules.MAX_TOTAL_BYTES)
                    + ": split it into several Secrets");
        }
    }
}
