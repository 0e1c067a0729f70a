package dev.tresor.kms.crypto;

import java.util.Objects;

/**
 * The result of {@link Crypto#encrypt}: the IV that was used (null where a scheme has none or
 * uses its standard default, as ECB and key wrap do), the ciphertext, and the separate 16-byte
 * tag of AES-GCM (null for every other scheme). A class rather than a record because it holds
 * arrays; the arrays are handed over, not copied, and belong to the caller.
 */
public final class CipherOutput {
    private final byte[] iv;
    private final byte[] ciphertext;
    private final byte[] tag;

    CipherOutput(byte[] iv, byte[] ciphertext, byte[] tag) {
        this.iv = iv;
        this.ciphertext = Objects.requireNonNull(ciphertext);
        this.tag = tag;
    }

    public byte[] iv() {
        return iv;
    }

    public byte[] ciphertext() {
        return ciphertext;
    }

    public byte[] tag() {
        return tag;
    }

    @Override
    public String toString() {
        return "CipherOutput[iv " + (iv == null ? "none" : iv.length + " bytes") + ", ciphertext "
                + ciphertext.length + " bytes, tag " + (tag == null ? "none" : tag.length + " bytes") + "]";
    }
}
