package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import java.util.Optional;

/**
 * Decrypt. An AEAD tag (AES-GCM, ChaCha20-Poly1305) comes in Authenticated Encryption Tag or,
 * from clients that have no such field (before 1.4, and PyKMIP at any version), as the last Tag
 * Length (default 16) bytes of Data; the core checks a tag against the Tag Length asked for.
 * RSA-OAEP's label comes in P Source. Any failure to open the data is one Cryptographic Failure,
 * whatever the cause. Decrypt in parts is refused: an AEAD must not release plaintext before its
 * tag is checked, so parts would gain nothing.
 */
final class DecryptHandler implements OperationHandler {
    private final ObjectAccess access;

    DecryptHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.DECRYPT;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        boolean single = request.find(Tag.FINAL_INDICATOR).map(Ttlv::asBoolean).orElse(false);
        if (request.find(Tag.CORRELATION_VALUE).isPresent()
                || request.find(Tag.INIT_INDICATOR).map(Ttlv::asBoolean).orElse(false) && !single) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED,
                    "Decrypt in parts is not offered (Encrypt in parts is); decrypt the whole data at once");
        }
        KmipObject object = access.usable(context, request, UsePeriod.Use.PROCESS);
        CryptoParameters parameters = ObjectAccess.parameters(object, request);
        Scheme scheme = parameters.cipherScheme(object.key().type());
        Bytes data = ObjectAccess.data(request).asBytes();
        boolean needsIv = scheme.isAead() || scheme == Scheme.AES_CBC_PKCS7 || scheme == Scheme.AES_CBC_NO_PADDING
                || scheme == Scheme.CHACHA20;
        if (request.find(Tag.IV_COUNTER_NONCE).isEmpty() && needsIv) {
            throw KmipFailure.invalidMessage("Decrypt in " + scheme + " needs the IV/Counter/Nonce");
        }
        Optional<Bytes> tag = request.find(Tag.AUTHENTICATED_ENCRYPTION_TAG).map(Ttlv::asBytes);
        if (scheme.isAead() && tag.isEmpty()) {
            byte[] joined = data.toArray();
            if (joined.length < parameters.tagBytes()) {
                throw new KmipFailure(ResultReason.CRYPTOGRAPHIC_FAILURE, "decryption failed");
            }
            int split = joined.length - parameters.tagBytes();
            data = Bytes.wrap(Arrays.copyOf(joined, split));
            tag = Optional.of(Bytes.wrap(Arrays.copyOfRange(joined, split, joined.length)));
            Arrays.fill(joined, (byte) 0);
        }
        DecryptRequest decrypt = new DecryptRequest(object.id().versionRef(), data, Optional.of(scheme),
                parameters.associatedData(scheme, request),
                request.find(Tag.IV_COUNTER_NONCE).map(Ttlv::asBytes), tag, false, parameters.tagLength());
        Bytes plaintext;
        try {
            plaintext = context.decrypt(decrypt);
        } catch (KmsError e) {
            if (e.isDecryptionFailure()) {
                throw new KmipFailure(ResultReason.CRYPTOGRAPHIC_FAILURE, "decryption failed");
            }
            throw e;
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()),
                Ttlv.bytes(Tag.DATA, plaintext));
    }
}
