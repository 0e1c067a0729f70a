package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.Encrypted;
import dev.tresor.kms.service.EncryptedPart;
import dev.tresor.kms.service.EncryptionPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encrypt. The answer names the IV only when the server made it. The AEAD tag (AES-GCM,
 * ChaCha20-Poly1305) goes into Authenticated Encryption Tag from 1.4 on; older versions have no
 * such field, so the tag is appended to Data, as clients of those versions expect (KMIP.md
 * section 4.14); it is Tag Length bytes long (16 unless the request asks for less). Encrypt in
 * parts (1.3+): Init Indicator starts one (the answer names it in Correlation Value), a request
 * with the Correlation Value continues it, Final Indicator ends it and gives the tag; the core
 * keeps the open encryption.
 */
final class EncryptHandler implements OperationHandler {
    private final ObjectAccess access;

    EncryptHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.ENCRYPT;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        if (StoredObject.names(context.uniqueIdentifier(request))) {
            return withPublicKey(context, request);
        }
        KmipObject object = access.usable(context, request, UsePeriod.Use.PROTECT);
        CryptoParameters parameters = ObjectAccess.parameters(object, request);
        Scheme scheme = parameters.cipherScheme(object.key().type());
        Optional<Bytes> iv = request.find(Tag.IV_COUNTER_NONCE).map(Ttlv::asBytes);
        Optional<Bytes> stream = request.find(Tag.CORRELATION_VALUE).map(Ttlv::asBytes);
        boolean init = request.find(Tag.INIT_INDICATOR).map(Ttlv::asBoolean).orElse(false);
        boolean last = request.find(Tag.FINAL_INDICATOR).map(Ttlv::asBoolean).orElse(false);
        if (init && stream.isPresent()) {
            throw new KmipFailure(ResultReason.INVALID_FIELD,
                    "Init Indicator starts a new encryption in parts; it takes no Correlation Value");
        }
        Bytes data = ObjectAccess.data(request).asBytes();
        Optional<Bytes> open = Optional.empty();
        Encrypted encrypted;
        if (init || stream.isPresent()) {
            // a later part's parameters are the first part's: only its Tag Length may be repeated
            EncryptRequest part = stream.isPresent()
                    ? new EncryptRequest(object.id().versionRef(), data, Optional.empty(),
                            request.find(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA).map(Ttlv::asBytes), iv, false,
                            parameters.tagLength())
                    : encryptRequest(object, data, scheme, parameters, request, iv);
            EncryptedPart answered = context.keys().encryptPart(context.caller(), new EncryptionPart(part, stream, last));
            encrypted = answered.encrypted();
            open = answered.stream();
        } else {
            encrypted = context.keys().encrypt(context.caller(), encryptRequest(object, data, scheme, parameters, request, iv));
        }
        Optional<Bytes> tag = encrypted.tag();
        boolean tagField = context.version().atLeast(ProtocolVersion.V1_4);
        List<Ttlv> answer = new ArrayList<>();
        answer.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()));
        answer.add(Ttlv.bytes(Tag.DATA, tagField || tag.isEmpty() ? encrypted.data()
                : concat(encrypted.data(), tag.get())));
        if (iv.isEmpty()) {
            encrypted.iv().ifPresent(made -> answer.add(Ttlv.bytes(Tag.IV_COUNTER_NONCE, made)));
        }
        open.ifPresent(correlation -> answer.add(Ttlv.bytes(Tag.CORRELATION_VALUE, correlation)));
        if (tagField) {
            tag.ifPresent(t -> answer.add(Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, t)));
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }

    private static EncryptRequest encryptRequest(KmipObject object, Bytes data, Scheme scheme,
                                                 CryptoParameters parameters, Ttlv request, Optional<Bytes> iv) {
        return new EncryptRequest(object.id().versionRef(), data, Optional.of(scheme),
                parameters.associatedData(scheme, request), iv, false, parameters.tagLength());
    }

    /** RSA-OAEP with a public key registered alone: no IV, associated data or tag. */
    private Ttlv withPublicKey(OperationContext context, Ttlv request) {
        RegisteredPublicKey key = RegisteredPublicKey.usable(context, access, request, RegisteredPublicKey.Purpose.ENCRYPT);
        if (request.find(Tag.IV_COUNTER_NONCE).isPresent()
                || request.find(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA).isPresent()) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "RSA encryption takes no IV and no additional data");
        }
        Bytes encrypted = key.withCoreKey(context, () -> context.keys().encryptWithPublicKey(context.caller(),
                key.coreId(), key.parameters(request).cipherScheme(key.type()), ObjectAccess.data(request).asBytes()));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, key.object().uid()),
                Ttlv.bytes(Tag.DATA, encrypted));
    }

    private static Bytes concat(Bytes data, Bytes tag) {
        byte[] joined = new byte[data.length() + tag.length()];
        System.arraycopy(data.toArray(), 0, joined, 0, data.length());
        System.arraycopy(tag.toArray(), 0, joined, data.length(), tag.length());
        return Bytes.wrap(joined);
    }
}
