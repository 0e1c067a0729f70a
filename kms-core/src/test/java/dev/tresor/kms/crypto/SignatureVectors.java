package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;

/** What the signature vector families share: verify a case on the message and the prehashed path. */
final class SignatureVectors {
    private SignatureVectors() {
    }

    /**
     * Whether the signature of case {@code c} verifies; the message path and the prehashed path
     * (digest of the message) must agree, else the case is reported as a problem.
     */
    static boolean verifies(Crypto crypto, LoadedKey key, Scheme scheme, WycheproofVectors.Case c,
            WycheproofVectors.Report report) {
        byte[] msg = c.bytes("msg");
        byte[] sig = c.bytes("sig");
        boolean onMessage = crypto.verify(key, scheme, msg, false, sig);
        boolean onDigest = crypto.verify(key, scheme, crypto.digest(scheme.hash(), msg), true, sig);
        if (onMessage != onDigest) {
            report.problem(c, "message path says " + onMessage + ", prehashed path says " + onDigest);
        }
        return onMessage;
    }

    /** Whether an imported public key of {@code type} is accepted. */
    static boolean publicKeyLoads(KeyType type, byte[] der) {
        try {
            LoadedKey.publicOnly(type, der);
            return true;
        } catch (KmsError e) {
            return false;
        }
    }
}
