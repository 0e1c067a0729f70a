package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.Objects;

/**
 * A server Nonce (spec 1.4 section 2.1.14, spec 2.1 section 2.1.14): sent in the header of an
 * Attestation Required answer and echoed in the retry's Attestation credential.
 */
public record Nonce(Bytes id, Bytes value) {
    public Nonce {
        Objects.requireNonNull(id);
        Objects.requireNonNull(value);
    }

    static Nonce from(Ttlv nonce) {
        return new Nonce(nonce.require(Tag.NONCE_ID).asBytes(), nonce.require(Tag.NONCE_VALUE).asBytes());
    }

    public Ttlv toTtlv() {
        return Ttlv.structure(Tag.NONCE, Ttlv.bytes(Tag.NONCE_ID, id), Ttlv.bytes(Tag.NONCE_VALUE, value));
    }
}
