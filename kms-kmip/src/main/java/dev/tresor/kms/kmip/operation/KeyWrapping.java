package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A Get's Key Wrapping Specification: Wrapping Method Encrypt under an Active AES key of the
 * instance, named by its Unique Identifier, with NIST Key Wrap (RFC 3394) or AES Key Wrap with
 * Padding (RFC 5649). Without an Encoding Option the TTLV-encoded Key Value {Key Material} is
 * wrapped (spec 1.4 section 2.1.5); with No Encoding the raw key material. The wrapping key's usage
 * mask must grant Wrap Key and its state and Protect Stop Date allow protecting; the core checks
 * it again, then exports the key under the rules of a plain Get and wraps it without the material
 * leaving the core in plain.
 */
final class KeyWrapping {
    private static final int ENCRYPT = 0x01;
    private static final int NO_ENCODING = 0x01;
    private static final int TTLV_ENCODING = 0x02;
    private static final int WRAP_KEY = 0x10;
    private static final int AES_KEY_WRAP_PADDING = 0x0C;
    private static final int NIST_KEY_WRAP = 0x0D;

    private final Ttlv method;
    private final Ttlv encryptionKey;
    private final Optional<Ttlv> encoding;

    private KeyWrapping(Ttlv method, Ttlv encryptionKey, Optional<Ttlv> encoding) {
        this.method = method;
        this.encryptionKey = encryptionKey;
        this.encoding = encoding;
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
                    "key wrapping on Get wraps the key value alone, neither MACed nor signed nor with attributes");
        }
        Optional<Ttlv> encoding = specification.find(Tag.ENCODING_OPTION);
        if (encoding.filter(o -> o.asEnum() != NO_ENCODING && o.asEnum() != TTLV_ENCODING).isPresent()) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED,
                    "key wrapping on Get offers the Encoding Options No Encoding and TTLV Encoding");
        }
        Ttlv encryptionKey = specification.find(Tag.ENCRYPTION_KEY_INFORMATION).orElseThrow(() -> new KmipFailure(
                ResultReason.INVALID_FIELD, "Wrapping Method Encrypt needs Encryption Key Information"));
        if (encryptionKey.find(Tag.UNIQUE_IDENTIFIER).filter(id -> id.type() == ItemType.TEXT_STRING).isEmpty()) {
            throw new KmipFailure(ResultReason.INVALID_FIELD,
                    "Encryption Key Information names the wrapping key by its Unique Identifier");
        }
        return new KeyWrapping(method, encryptionKey, encoding);
    }

    /** The key block of {@code object} wrapped, with its Key Wrapping Data naming the key and mode used. */
    Ttlv wrap(OperationContext context, ObjectAccess access, KmipObject object, Ttlv algorithm, Ttlv length) {
        KmipObject wrapper = access.usable(context, encryptionKey, UsePeriod.Use.PROTECT);
        ObjectAccess.requireUsage(context, wrapper, WRAP_KEY, "Wrap Key");
        Scheme scheme = ObjectAccess.parameters(wrapper, encryptionKey).cipherScheme(wrapper.key().type());
        int mode = switch (scheme) {
            case AES_KEY_WRAP -> NIST_KEY_WRAP;
            case AES_KEY_WRAP_PAD -> AES_KEY_WRAP_PADDING;
            default -> throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "key wrapping on Get takes NIST Key"
                    + " Wrap or AES Key Wrap with Padding as the Block Cipher Mode, not " + scheme);
        };
        Bytes wrapped = context.keys().exportWrapped(context.caller(), object.id().versionRef(),
                wrapper.id().versionRef(), scheme, encoder()).data();
        Ttlv used = Ttlv.structure(Tag.ENCRYPTION_KEY_INFORMATION,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, wrapper.id().uid()),
                Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, mode)));
        Ttlv data = encoding.map(option -> Ttlv.structure(Tag.KEY_WRAPPING_DATA, method, used, option))
                .orElseGet(() -> Ttlv.structure(Tag.KEY_WRAPPING_DATA, method, used));
        return Ttlv.structure(Tag.KEY_BLOCK,
                Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, KeyFormats.RAW),
                Ttlv.bytes(Tag.KEY_VALUE, wrapped),
                algorithm,
                length,
                data);
    }

    /** What is wrapped: the raw material (No Encoding), else its Key Value structure as TTLV. */
    private UnaryOperator<Bytes> encoder() {
        if (encoding.filter(o -> o.asEnum() == NO_ENCODING).isPresent()) {
            return UnaryOperator.identity();
        }
        return raw -> Bytes.wrap(TtlvWriter.write(Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, raw))));
    }
}
