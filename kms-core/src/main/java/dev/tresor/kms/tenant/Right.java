package dev.tresor.kms.tenant;

/** What a call needs; the columns of the role table in ARCHITECTURE.md. */
public enum Right {
    /** create, rotate, delete, restore, import, enable/disable, destroy. */
    LIFECYCLE,
    /** encrypt, decrypt, sign, verify, wrap, unwrap, MAC. */
    CRYPTO,
    READ_METADATA,
    /** audit log and metadata export. */
    EXPORT,
    /** API tokens and KMIP client certificates of the project. */
    ADMINISTER
}
