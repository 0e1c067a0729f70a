package dev.tresor.kms.key;

/** What a key may be used for. The REST purpose and the KMIP usage mask both map onto sets of these. */
public enum KeyUsage {
    ENCRYPT, DECRYPT, SIGN, VERIFY, WRAP, UNWRAP, MAC_GENERATE, MAC_VERIFY
}
