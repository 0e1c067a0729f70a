package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.EncryptRequest;
import java.util.Optional;
import java.util.Set;

/**
 * A Get's Key Wrapping Specification: Wrapping Method Encrypt under an Active AES key of the
 * instance with NIST Key Wrap (RFC 3394) or AES Key Wrap with Padding (RFC 5649), without
 * encoding (the wrapped value is the Raw key material). The wrapping key's usage mask must grant
 * Wrap Key; the wrapping is a core encryption under it (its dates and state apply), and the
 * material to wrap is exported like a plain Get's: only from an exportable key.
 */
final class KeyWrapping {
    private static final int ENCRYPT = 0x01;
    private static final int NO_ENCODING = 0x01;
    private static final int WRAP_KEY = 0x10;
    private static final Set<Scheme> KEY_WRAP = Set.of(Scheme.AES_KEY_WRAP, Scheme.AES_KEY_WRAP_PAD);

    private final Ttlv method;
    private final Ttlv encryptionKey;

    private KeyWrapping(Ttlv method, Ttlv encryptionKey) {
        this.method = method;
        this.encryptionKey = encryptionKey;
    }

    /** Checks the specification before any work: only what is offered passes. */
    static KeyWrapping of(Ttlv specification) {
        Ttlv method = specification.require(Tag.WRAPPING_METHOD);
        if (method.asEnum() != ENCRYPT) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "key wrapping on Get offers Wrapping Method"
                    + " Encrypt only");
        }
        if (specification.find(Tag.MAC_SIGNATURE_KEY_INFORMATION).isPresent()
                || specification.find(Tag.ATTRIBUTE_NAME).isPresent()) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED,
                    "key wrapping on Get wraps the key material alone, neither MACed nor signed nor with attributes");
        }
        if (specification.find(Tag.ENCODING_OPTION).filter(o -> o.asEnum() != NO_ENCODING).isPresent()) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "key wrapping on Get offers No Encoding only");
        }
        Ttlv encryptionKey = specification.find(Tag.ENCRYPTION_KEY_INFORMATION).orElseThrow(() -> new KmipFailure(
                ResultReason.INVALID_FIELD, "Wrapping Method Encrypt needs Encryption Key Information"));
        return new KeyWrapping(method, encryptionKey);
    }

    /** The key block of {@code raw} wrapped, with its Key Wrapping Data naming how. */
    Ttlv wrap(OperationContext context, ObjectAccess access, Bytes raw, Ttlv algorithm, Ttlv length) {
        KmipObject wrapper = access.usable(context, encryptionKey, ObjectAccess.Use.PROTECT);
        int mask = Attributes.first(wrapper.stored(), Tag.CRYPTOGRAPHIC_USAGE_MASK).map(Ttlv::asInt).orElse(0);
        if ((mask & WRAP_KEY) == 0) {
            throw new KmipFailure(context.version().isTwoOrLater()
                    ? ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK : ResultReason.PERMISSION_DENIED,
                    "the wrapping key's usage mask does not grant Wrap Key");
        }
        Scheme scheme = ObjectAccess.parameters(wrapper, encryptionKey).cipherScheme(wrapper.key().type());
        if (!KEY_WRAP.contains(scheme)) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "key wrapping on Get takes NIST Key Wrap or AES Key"
                    + " Wrap with Padding as the Block Cipher Mode, not " + scheme);
        }
        Bytes wrapped = context.keys().encrypt(context.caller(), new EncryptRequest(wrapper.id().versionRef(), raw,
                Optional.of(scheme), Optional.empty(), Optional.empty(), false)).data();
        return Ttlv.structure(Tag.KEY_BLOCK,
                Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, KeyFormats.RAW),
                Ttlv.bytes(Tag.KEY_VALUE, wrapped),
                algorithm,
                length,
                Ttlv.structure(Tag.KEY_WRAPPING_DATA, method, encryptionKey));
    }
}
