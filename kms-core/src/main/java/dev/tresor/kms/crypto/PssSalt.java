package dev.tresor.kms.crypto;

/** Which RSA-PSS salt lengths a verification accepts. */
public enum PssSalt {
    /** The hash length only, as Tresor signs: for a key whose algorithm pins the scheme. */
    HASH_LENGTH,
    /** Any length the encoded message carries: KMIP and OASIS signers use the maximum. */
    ANY
}
