package dev.tresor.kms.attest;

import java.util.Arrays;
import java.util.Optional;

/** TPM 2.0 hash algorithm identifiers (TPM_ALG_ID) with their JCA names and claim bank names. */
enum TpmAlgorithm {
    SHA1(0x0004, "SHA-1", "sha1", 20),
    SHA256(0x000B, "SHA-256", "sha256", 32),
    SHA384(0x000C, "SHA-384", "sha384", 48),
    SHA512(0x000D, "SHA-512", "sha512", 64);

    private final int id;
    private final String jcaName;
    private final String bank;
    private final int length;

    TpmAlgorithm(int id, String jcaName, String bank, int length) {
        this.id = id;
        this.jcaName = jcaName;
        this.bank = bank;
        this.length = length;
    }

    static Optional<TpmAlgorithm> of(int id) {
        return Arrays.stream(values()).filter(a -> a.id == id).findFirst();
    }

    static Optional<TpmAlgorithm> ofBank(String bank) {
        return Arrays.stream(values()).filter(a -> a.bank.equals(bank)).findFirst();
    }

    int id() {
        return id;
    }

    String jcaName() {
        return jcaName;
    }

    /** Name in signature algorithms: SHA256withRSA etc. */
    String signatureName() {
        return jcaName.replace("-", "");
    }

    String bank() {
        return bank;
    }

    int length() {
        return length;
    }
}
