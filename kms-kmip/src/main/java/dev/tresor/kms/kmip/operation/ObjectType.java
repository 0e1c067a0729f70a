package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;

/** The KMIP Object Types Tresor manages (spec 2.1 section 11.39). */
enum ObjectType {
    SYMMETRIC_KEY(0x02), PUBLIC_KEY(0x03), PRIVATE_KEY(0x04);

    private final int code;

    ObjectType(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static ObjectType of(int code) {
        for (ObjectType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "object type " + code + " is not supported");
    }
}
