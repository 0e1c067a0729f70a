package dev.tresor.kms.attest;

import java.util.OptionalInt;

/** One decoded TCB_VERSION; {@code fmc} exists on Turin only. */
record SnpTcb(long raw, OptionalInt fmc, int bootloader, int tee, int snp, int microcode) {

    void addTo(Claims claims, String prefix) {
        fmc.ifPresent(v -> claims.put(prefix + ".fmc", v));
        claims.put(prefix + ".bootloader", bootloader)
                .put(prefix + ".tee", tee)
                .put(prefix + ".snp", snp)
                .put(prefix + ".microcode", microcode);
    }
}
