package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.Optional;

/**
 * Cryptographic Parameters (spec 1.4 section 3.6) and the core scheme they select. A field the
 * request leaves out comes from the object's stored parameters, then from the server default:
 * AES-GCM with a 16-byte tag and a server-made 96-bit IV, RSA-OAEP with SHA-256, RSA-PSS with
 * SHA-256, ECDSA with the curve's hash, a ChaCha20 key's own scheme (AEAD selects
 * ChaCha20-Poly1305). RSA-OAEP's MGF1 hash is the OAEP hash unless the parameters name another;
 * RSA-PSS signs with a salt of the hash length (other choices are refused, never silently
 * changed). AEAD tags may be cut (Tag Length, bounds set by the core's {@link Scheme}); RSA-OAEP
 * takes a label in P Source.
 */
record CryptoParameters(Optional<Integer> blockCipherMode, Optional<Integer> padding, Optional<Integer> hashing,
                        Optional<Integer> algorithm, Optional<Integer> signatureAlgorithm, Optional<Integer> tagLength,
                        Optional<Integer> mgfHash, Optional<Bytes> pSource) {
    private static final int CBC = 0x01;
    private static final int ECB = 0x02;
    private static final int GCM = 0x09;
    private static final int AES_KEY_WRAP_PADDING = 0x0C;
    private static final int NIST_KEY_WRAP = 0x0D;
    private static final int AEAD = 0x12;
    private static final int PAD_NONE = 0x01;
    private static final int OAEP = 0x02;
    private static final int PKCS5 = 0x03;
    private static final int PKCS1_V1_5 = 0x08;
    private static final int PSS = 0x0A;
    private static final int SHA_1 = 0x04;
    private static final int SHA_256 = 0x06;
    private static final int SHA_384 = 0x07;
    private static final int SHA_512 = 0x08;

    /** The request's parameters, each missing field taken from {@code stored}. */
    static CryptoParameters of(Optional<Ttlv> request, Optional<Ttlv> stored) {
        return new CryptoParameters(
                field(request, stored, Tag.BLOCK_CIPHER_MODE), field(request, stored, Tag.PADDING_METHOD),
                field(request, stored, Tag.HASHING_ALGORITHM), field(request, stored, Tag.CRYPTOGRAPHIC_ALGORITHM),
                field(request, stored, Tag.DIGITAL_SIGNATURE_ALGORITHM), field(request, stored, Tag.TAG_LENGTH),
                field(request, stored, Tag.MASK_GENERATOR_HASHING_ALGORITHM),
                request.flatMap(p -> p.find(Tag.P_SOURCE)).or(() -> stored.flatMap(p -> p.find(Tag.P_SOURCE)))
                        .map(Ttlv::asBytes));
    }

    /** The AEAD tag length in bytes: Tag Length, else the full tag. */
    int tagBytes() {
        return tagLength.orElse(Scheme.AEAD_TAG_BYTES);
    }

    /**
     * The associated data of an Encrypt or Decrypt: the OAEP label (P Source) for RSA, else
     * Authenticated Encryption Additional Data.
     */
    Optional<Bytes> associatedData(Scheme scheme, Ttlv request) {
        Optional<Bytes> aeData = request.find(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA).map(Ttlv::asBytes);
        if (scheme.family() != KeyType.Family.RSA) {
            return aeData;
        }
        if (aeData.isPresent()) {
            throw unsupported("RSA-OAEP takes its label in P Source, not in Authenticated Encryption Additional Data");
        }
        return pSource.filter(label -> label.length() > 0);
    }

    private static Optional<Integer> field(Optional<Ttlv> request, Optional<Ttlv> stored, Tag tag) {
        return request.flatMap(p -> p.find(tag)).or(() -> stored.flatMap(p -> p.find(tag)))
                .map(item -> item.type() == dev.tresor.kms.kmip.ttlv.ItemType.INTEGER ? item.asInt() : item.asEnum());
    }

    /**
     * The scheme for Encrypt and Decrypt with a key of {@code type}. A Tag Length the scheme cannot
     * make is General Failure, as the OASIS test cases (CS-BC-M-GCM-1, CS-BC-M-CHACHA20POLY1305-1)
     * expect; the spec's Encrypt and Decrypt error tables leave the reason open.
     */
    Scheme cipherScheme(KeyType type) {
        Scheme scheme = familyScheme(type);
        if (scheme.isAead() && !scheme.takesTagBytes(tagBytes())) {
            throw new KmipFailure(ResultReason.GENERAL_FAILURE, "Tag Length " + tagBytes() + " is not offered: "
                    + scheme + " tags are " + Scheme.MIN_AEAD_TAG_BYTES + " to " + Scheme.AEAD_TAG_BYTES + " bytes");
        }
        return scheme;
    }

    private Scheme familyScheme(KeyType type) {
        return switch (type.family()) {
            case AES -> aesScheme();
            case CHACHA20 -> switch (blockCipherMode.orElse(0)) {
                case 0 -> Scheme.valueOf(type.name());
                case AEAD -> Scheme.CHACHA20_POLY1305;
                default -> throw unsupported("a ChaCha20 key takes no block cipher mode but AEAD, not "
                        + blockCipherMode.get());
            };
            case RSA -> {
                int pad = padding.orElse(OAEP);
                if (pad != OAEP) {
                    throw unsupported("RSA encryption is OAEP only");
                }
                String oaep = jcaHash(hashing.orElse(SHA_256));
                String mgf1 = mgfHash.map(CryptoParameters::jcaHash).orElse(oaep);
                yield java.util.Arrays.stream(Scheme.values())
                        .filter(s -> s.family() == KeyType.Family.RSA && s.operation() == Scheme.Operation.CIPHER
                                && oaep.equals(s.hash()) && mgf1.equals(s.mgf1Hash()))
                        .findFirst().orElseThrow();
            }
            default -> throw unsupported(type + " keys do not encrypt");
        };
    }

    private Scheme aesScheme() {
        int mode = blockCipherMode.orElse(GCM);
        int pad = padding.orElse(mode == CBC ? PKCS5 : PAD_NONE);
        return switch (mode) {
            case GCM -> Scheme.AES_GCM;
            case CBC -> switch (pad) {
                case PKCS5 -> Scheme.AES_CBC_PKCS7;
                case PAD_NONE -> Scheme.AES_CBC_NO_PADDING;
                default -> throw unsupported("AES-CBC padding " + pad + " is not offered");
            };
            case ECB -> switch (pad) {
                case PKCS5 -> Scheme.AES_ECB_PKCS7;
                case PAD_NONE -> Scheme.AES_ECB_NO_PADDING;
                default -> throw unsupported("AES-ECB padding " + pad + " is not offered");
            };
            case NIST_KEY_WRAP -> Scheme.AES_KEY_WRAP;
            case AES_KEY_WRAP_PADDING -> Scheme.AES_KEY_WRAP_PAD;
            default -> throw unsupported("block cipher mode " + mode + " is not offered");
        };
    }

    /** The scheme for Sign and Signature Verify with a key of {@code type}. */
    Scheme signatureScheme(KeyType type) {
        if (signatureAlgorithm.isPresent()) {
            return switch (signatureAlgorithm.get()) {
                case 0x05 -> Scheme.RSA_PKCS1_SHA256;
                case 0x06 -> Scheme.RSA_PKCS1_SHA384;
                case 0x07 -> Scheme.RSA_PKCS1_SHA512;
                case 0x08 -> pss(hashing.orElse(SHA_256));
                case 0x0E -> Scheme.ECDSA_SHA256;
                case 0x0F -> Scheme.ECDSA_SHA384;
                case 0x10 -> Scheme.ECDSA_SHA512;
                default -> throw unsupported("digital signature algorithm " + signatureAlgorithm.get() + " is not offered");
            };
        }
        return switch (type.family()) {
            case RSA -> {
                int hash = hashing.orElse(SHA_256);
                yield padding.orElse(PSS) == PKCS1_V1_5 ? pkcs1(hash) : pss(hash);
            }
            case EC -> switch (hashing.orElse(switch (type) {
                case EC_P384 -> SHA_384;
                case EC_P521 -> SHA_512;
                default -> SHA_256;
            })) {
                case SHA_256 -> Scheme.ECDSA_SHA256;
                case SHA_384 -> Scheme.ECDSA_SHA384;
                case SHA_512 -> Scheme.ECDSA_SHA512;
                default -> throw unsupported("ECDSA hash is SHA-256, SHA-384 or SHA-512");
            };
            default -> throw unsupported(type + " keys do not sign; use MAC");
        };
    }

    /**
     * The scheme for MAC and MAC Verify: an HMAC key's own; an AES key's bytes only under the HMAC
     * algorithm the parameters name (CMAC is not offered).
     */
    Scheme macScheme(KeyType type) {
        Optional<Scheme> named = algorithm.map(code -> switch (code) {
            case KeyTypes.HMAC_SHA256 -> Scheme.HMAC_SHA256;
            case KeyTypes.HMAC_SHA384 -> Scheme.HMAC_SHA384;
            case KeyTypes.HMAC_SHA512 -> Scheme.HMAC_SHA512;
            default -> throw unsupported("MAC algorithm " + code + " is not offered");
        });
        return switch (type) {
            case HMAC_SHA256, HMAC_SHA384, HMAC_SHA512 -> {
                Scheme own = Scheme.valueOf(type.name());
                if (named.isPresent() && named.get() != own) {
                    throw unsupported("a " + type + " key computes " + own + " only");
                }
                yield own;
            }
            case AES_128, AES_192, AES_256 -> named.orElseThrow(() -> unsupported(
                    "MAC with an AES key needs an HMAC Cryptographic Algorithm in its parameters (CMAC is not offered)"));
            default -> throw unsupported(type + " keys do not compute MACs");
        };
    }

    /** The JCA name of an OAEP or MGF1 hash. */
    private static String jcaHash(int hash) {
        return switch (hash) {
            case SHA_1 -> "SHA-1";
            case SHA_256 -> "SHA-256";
            case SHA_384 -> "SHA-384";
            case SHA_512 -> "SHA-512";
            default -> throw unsupported("OAEP and MGF1 hashes are SHA-1, SHA-256, SHA-384 or SHA-512, not " + hash);
        };
    }

    private static Scheme pss(int hash) {
        return switch (hash) {
            case SHA_1 -> Scheme.RSA_PSS_SHA1;
            case SHA_256 -> Scheme.RSA_PSS_SHA256;
            case SHA_384 -> Scheme.RSA_PSS_SHA384;
            case SHA_512 -> Scheme.RSA_PSS_SHA512;
            default -> throw unsupported("RSA-PSS hash is SHA-1 (verify only), SHA-256, SHA-384 or SHA-512");
        };
    }

    private static Scheme pkcs1(int hash) {
        return switch (hash) {
            case SHA_256 -> Scheme.RSA_PKCS1_SHA256;
            case SHA_384 -> Scheme.RSA_PKCS1_SHA384;
            case SHA_512 -> Scheme.RSA_PKCS1_SHA512;
            default -> throw unsupported("PKCS#1 v1.5 signature hash is SHA-256, SHA-384 or SHA-512");
        };
    }

    /** The JCA name of the Hash operation's algorithm. */
    String hashName() {
        return switch (hashing.orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD,
                "Hash needs a Hashing Algorithm"))) {
            case SHA_1 -> "SHA-1";
            case 0x05 -> "SHA-224";
            case SHA_256 -> "SHA-256";
            case SHA_384 -> "SHA-384";
            case SHA_512 -> "SHA-512";
            case 0x0F -> "SHA3-256";
            case 0x10 -> "SHA3-384";
            case 0x11 -> "SHA3-512";
            default -> throw unsupported("hashing algorithm " + hashing.get() + " is not offered");
        };
    }

    private static KmipFailure unsupported(String message) {
        return new KmipFailure(ResultReason.INVALID_FIELD, message);
    }
}
