package dev.tresor.kms.attest;

import java.util.Optional;
import java.util.OptionalInt;

/** AMD EPYC generations with SEV-SNP; each has its own ARK and TCB_VERSION byte layout. */
public enum SnpProduct {
    MILAN("Milan", "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"),
    GENOA("Genoa", "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1"),
    TURIN("Turin", "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a");

    private final String displayName;
    private final String arkFingerprint;

    SnpProduct(String displayName, String arkFingerprint) {
        this.displayName = displayName;
        this.arkFingerprint = arkFingerprint;
    }

    public String displayName() {
        return displayName;
    }

    /** The built-in pin: SHA-256 of the ARK's DER encoding. */
    public String arkFingerprint() {
        return arkFingerprint;
    }

    /** From the report's CPUID fields (reports v3 and later). */
    static Optional<SnpProduct> fromCpuid(int family, int model) {
        if (family == 0x19 && model <= 0x0F) {
            return Optional.of(MILAN);
        }
        if (family == 0x19 && (model >= 0x10 && model <= 0x1F || model >= 0xA0 && model <= 0xAF)) {
            return Optional.of(GENOA);
        }
        if (family == 0x1A) {
            return Optional.of(TURIN);
        }
        return Optional.empty();
    }

    /** From the endorsement certificate's issuer CN: {@code SEV-Milan}, {@code SEV-VLEK-Genoa}, ... */
    static Optional<SnpProduct> fromIssuer(String issuerCommonName) {
        for (SnpProduct product : values()) {
            if (issuerCommonName.equals("SEV-" + product.displayName)
                    || issuerCommonName.equals("SEV-VLEK-" + product.displayName)) {
                return Optional.of(product);
            }
        }
        return Optional.empty();
    }

    /** The TCB_VERSION as named components; Turin moved every byte and added the FMC SPL. */
    SnpTcb decodeTcb(long raw) {
        int[] b = new int[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (int) (raw >>> (8 * i)) & 0xFF;
        }
        return this == TURIN
                ? new SnpTcb(raw, OptionalInt.of(b[0]), b[1], b[2], b[3], b[7])
                : new SnpTcb(raw, OptionalInt.empty(), b[0], b[1], b[6], b[7]);
    }
}
