package dev.tresor.kms.kmip.message;

/**
 * The Result Reasons Tresor sends (spec 1.4 section 9.1.3.2.29, spec 2.1 section 11.46). Those
 * from 0x19 on exist only in 2.x; a 1.x answer must use one of the older values.
 */
public enum ResultReason {
    ITEM_NOT_FOUND(0x01), RESPONSE_TOO_LARGE(0x02), AUTHENTICATION_NOT_SUCCESSFUL(0x03), INVALID_MESSAGE(0x04),
    OPERATION_NOT_SUPPORTED(0x05), MISSING_DATA(0x06), INVALID_FIELD(0x07), FEATURE_NOT_SUPPORTED(0x08),
    CRYPTOGRAPHIC_FAILURE(0x0A), PERMISSION_DENIED(0x0C), KEY_FORMAT_TYPE_NOT_SUPPORTED(0x10),
    ATTESTATION_REQUIRED(0x14), ATTESTATION_FAILED(0x15), SENSITIVE(0x16), NOT_EXTRACTABLE(0x17),
    ATTRIBUTE_READ_ONLY(0x22), ATTRIBUTE_SINGLE_VALUED(0x23), INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK(0x29),
    NON_UNIQUE_NAME_ATTRIBUTE(0x35), OBJECT_DESTROYED(0x36), OBJECT_NOT_FOUND(0x37),
    SERVER_LIMIT_EXCEEDED(0x3A), WRONG_KEY_LIFECYCLE_STATE(0x43), PROTECTION_STORAGE_UNAVAILABLE(0x44),
    GENERAL_FAILURE(0x100);

    private final int code;

    ResultReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
