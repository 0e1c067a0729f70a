package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.BatchErrorContinuation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.RequestHeader;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.time.Clock;
import java.util.Optional;

/** Handlers and object access called directly, by the project's admin in a KMIP 2.1 request of one item. */
final class DirectCalls {
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int AES = 0x03;

    private DirectCalls() {
    }

    static OperationContext context(CoreWithKeyRing core) {
        return context(core, core.test().clock());
    }

    /** The same, the handlers reading the time from {@code clock}. */
    static OperationContext context(CoreWithKeyRing core, Clock clock) {
        return new OperationContext(core.admin(), null, new RequestHeader(ProtocolVersion.V2_1, Optional.empty(),
                Optional.empty(), false, Optional.empty(), false, BatchErrorContinuation.STOP, 1), new IdPlaceholder(),
                core.kms(), clock);
    }

    /** The Unique Identifier of a new Pre-Active AES-256 key object. */
    static String aesObject(CoreWithKeyRing core, KmipObjects objects) {
        return new CreateHandler(new NewObjects(objects)).handle(context(core), Ttlv.structure(Tag.REQUEST_PAYLOAD,
                Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), Ttlv.structure(Tag.ATTRIBUTES,
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256))))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    /** A request payload naming object {@code uid}. */
    static Ttlv naming(String uid) {
        return Ttlv.structure(Tag.REQUEST_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid));
    }
}
