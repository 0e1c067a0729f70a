package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.crypto.Drbg;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;

/**
 * The Random Number Generator attribute of a key the server generated: RNG Parameters naming the
 * core's SP 800-90A DRBG as it runs. RNG Algorithm DRBG; the DRBG Algorithm (Hash, HMAC or CTR)
 * with its Hashing Algorithm or, for CTR, its block cipher as Cryptographic Algorithm;
 * Cryptographic Length is the DRBG's security strength in bits; Prediction Resistance as
 * instantiated. Never set on a registered key: its material came from the client.
 */
final class GeneratorAttribute {
    static final String NAME = Attributes.specName(Tag.RANDOM_NUMBER_GENERATOR);
    private static final int RNG_DRBG = 0x03;
    private static final int AES = 0x03;

    private GeneratorAttribute() {
    }

    static Ttlv of(Drbg drbg) {
        List<Ttlv> fields = new ArrayList<>();
        fields.add(Ttlv.enumeration(Tag.RNG_ALGORITHM, RNG_DRBG));
        if (drbg.mechanism() == Drbg.Mechanism.CTR_DRBG) {
            if (!drbg.function().startsWith("AES-")) {
                throw new IllegalStateException("CTR_DRBG over " + drbg.function());
            }
            fields.add(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES));
        }
        fields.add(Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, drbg.strengthBits()));
        if (drbg.mechanism() != Drbg.Mechanism.CTR_DRBG) {
            fields.add(Ttlv.enumeration(Tag.HASHING_ALGORITHM, hashing(drbg.function())));
        }
        fields.add(Ttlv.enumeration(Tag.DRBG_ALGORITHM, switch (drbg.mechanism()) {
            case HASH_DRBG -> 0x03;
            case HMAC_DRBG -> 0x04;
            case CTR_DRBG -> 0x05;
        }));
        fields.add(Ttlv.bool(Tag.PREDICTION_RESISTANCE, drbg.predictionResistance()));
        return Ttlv.structure(Tag.ATTRIBUTE_VALUE, fields);
    }

    private static int hashing(String jcaName) {
        return switch (jcaName) {
            case "SHA-1" -> 0x04;
            case "SHA-224" -> 0x05;
            case "SHA-256" -> 0x06;
            case "SHA-384" -> 0x07;
            case "SHA-512" -> 0x08;
            case "SHA-512/224" -> 0x0C;
            case "SHA-512/256" -> 0x0D;
            default -> throw new IllegalStateException("a DRBG over " + jcaName);
        };
    }
}
