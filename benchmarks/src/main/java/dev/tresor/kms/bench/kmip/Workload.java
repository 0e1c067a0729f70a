package dev.tresor.kms.bench.kmip;

import dev.tresor.kms.bench.kmip.KmipRequests.RefusedException;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * What one phase repeats: a fixed request, prepared once outside the measurement, and the check
 * that each answer is the one asked for (a refusal or a wrong-sized result is not an operation).
 */
enum Workload {
    ENCRYPT("Encrypt AES-256-GCM 1 KiB") {
        private static final int PLAINTEXT_BYTES = 1024;

        @Override
        byte[] prepare(KmipChannel setup) throws IOException, RefusedException {
            String uid = KmipRequests.payload(setup.call(KmipRequests.createAes(256)))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            KmipRequests.payload(setup.call(KmipRequests.activate(uid)));
            byte[] plaintext = new byte[PLAINTEXT_BYTES];
            new SecureRandom().nextBytes(plaintext);
            return KmipRequests.encryptGcm(uid, Bytes.wrap(plaintext));
        }

        @Override
        void check(Ttlv payload) throws RefusedException {
            int data = payload.find(Tag.DATA).map(d -> d.asBytes().length()).orElse(-1);
            int tag = payload.find(Tag.AUTHENTICATED_ENCRYPTION_TAG).map(t -> t.asBytes().length()).orElse(-1);
            if (data != PLAINTEXT_BYTES || tag != KmipRequests.GCM_TAG_BYTES) {
                throw new RefusedException("Encrypt answered " + data + " bytes of Data and a tag of " + tag);
            }
        }
    },
    CREATE("Create AES-256") {
        @Override
        byte[] prepare(KmipChannel setup) {
            return KmipRequests.createAes(256);
        }

        @Override
        void check(Ttlv payload) throws RefusedException {
            if (payload.find(Tag.UNIQUE_IDENTIFIER).isEmpty()) {
                throw new RefusedException("Create answered no Unique Identifier");
            }
        }
    };

    private final String title;

    Workload(String title) {
        this.title = title;
    }

    String title() {
        return title;
    }

    /** The request every operation of the phase sends; may create what it needs through {@code setup}. */
    abstract byte[] prepare(KmipChannel setup) throws IOException, RefusedException;

    abstract void check(Ttlv payload) throws RefusedException;

    static Workload named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown operation '" + name + "': encrypt or create", e);
        }
    }
}
