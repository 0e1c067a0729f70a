package dev.tresor.kms.pkcs11;

import static dev.tresor.kms.pkcs11.ModuleWithoutServerTest.assertCkr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ENCRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_GEN_MECHANISM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LOCAL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_KEY_INFO;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_UNIQUE_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE_LEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CK_UNAVAILABLE_INFORMATION;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_KWP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_RSA_PKCS_PSS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_PARAM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_AEAD_DECRYPT_FAILED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_FUNCTION_NOT_PERMITTED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_UNEXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SIGNATURE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_WRAPPED_KEY_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKZ_DATA_SPECIFIED;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.attrs.Attribute;
import org.xipki.pkcs11.wrapper.params.ByteArrayParams;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_OAEP_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/** Every function of the library through the IAIK wrapper against a real Tresor server. */
class TresorTokenTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long WRONG_LIFECYCLE_STATE = 0x43;
    private static final byte[] P256 = HexFormat.of().parseHex("06082a8648ce3d030107");
    private static final long CKM_TRESOR_AES_GCM = 0xD4520001L;
    private static final long CKA_TRESOR_VERSION = 0xD4520001L;
    private static final long CKA_TRESOR_PRIMARY = 0xD4520002L;


    @RegisterExtension
    static final TresorWithLibrary tresor = TresorWithLibrary.withHourlyBudget(10_000_000);
    private static Token token;
    private Session session;

    @BeforeAll
    static void openToken() throws Exception {
        token = tresor.token();
    }

    @BeforeEach
    void open() throws Exception {
        session = token.openSession(true);
        session.login(CKU_USER, new char[0]);
    }

    @AfterEach
    void close() throws Exception {
        session.logout();
        session.closeSession();
    }

    private long aesKey(String label) throws Exception {
        return session.generateKey(new Mechanism(CKM_AES_KEY_GEN), AttributeVector.newSecretKey(CKK_AES).token(true)
                .valueLen(32).label(label).id(label.getBytes(StandardCharsets.UTF_8)).encrypt(true).decrypt(true)
                .wrap(true).unwrap(true));
    }

    private static byte[] randomIv() {
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        return iv;
    }

    private static Mechanism gcm(byte[] iv, byte[] aad) {
        return gcm(iv, aad, 128);
    }

    private static Mechanism gcm(byte[] iv, byte[] aad, int tagBits) {
        return new Mechanism(CKM_AES_GCM, new GCM_PARAMS(iv, aad, tagBits));
    }

    private static final byte[] TRUE = {1};
    private static final byte[] FALSE = {0};

    static {
        /* The wrapper knows no vendor attributes: they are read as their native bytes. */
        for (long type : new long[] {CKA_TRESOR_VERSION, CKA_TRESOR_PRIMARY}) {
            Attribute.putAttributeValueType(type, Attribute.AttrType.BYTEARRAY);
        }
    }

    private byte[] attributeBytes(long handle, long type) throws Exception {
        return session.getAttrValues(handle, type).getByteArrayAttrValue(type);
    }

    private long version(long handle) throws Exception {
        return ByteBuffer.wrap(attributeBytes(handle, CKA_TRESOR_VERSION)).order(ByteOrder.nativeOrder()).getLong();
    }

    private static byte[] nativeUlong(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    private static Mechanism tresorGcm(String aad) {
        return new Mechanism(CKM_TRESOR_AES_GCM, new ByteArrayParams(aad.getBytes(StandardCharsets.UTF_8)));
    }

    /** The server's id of a key made through the library (KMIP keys live in the key ring "kmip"). */
    private static String[] kmipRingAndKey(String label) {
        JsonNode rings = tresor.server().rest("GET", "/keyrings", null);
        String ring = rings.findParents("displayName").stream().filter(r -> r.get("displayName").asText().equals("kmip"))
                .findFirst().orElseThrow().get("id").asText();
        String keyId = tresor.server().rest("GET", "/keyrings/" + ring + "/keys", null).findParents("displayName")
                .stream().filter(k -> k.get("displayName").asText().equals(label))
                .findFirst().orElseThrow().get("id").asText();
        return new String[] {ring, keyId};
    }

    @Test
    void tokenShowsTheDevProject() throws Exception {
        assertEquals(tresor.server().devFacts().get("projectId").asText().substring(0, 16),
                token.getTokenInfo().getSerialNumber().trim());
    }

    @Test
    void aesKeysLiveInTresorAndEncryptWithGcm() throws Exception {
        long key = aesKey("gcm-key");
        assertNull(session.getAttrValues(key, CKA_VALUE).value()); /* the wrapper's answer to ATTRIBUTE_SENSITIVE */
        assertEquals(32, session.getAttrValues(key, CKA_VALUE_LEN).valueLen());
        assertTrue(session.getAttrValues(key, CKA_SENSITIVE).sensitive());
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        byte[] aad = "volume-1".getBytes(StandardCharsets.UTF_8);
        byte[] plain = new byte[1024];
        RANDOM.nextBytes(plain);
        byte[] sealed = session.encryptSingle(gcm(iv, aad), key, plain);
        assertEquals(plain.length + 16, sealed.length);
        assertArrayEquals(plain, session.decryptSingle(gcm(iv, aad), key, sealed));

        session.encryptInit(gcm(iv, aad), key);
        session.encryptUpdate(Arrays.copyOf(plain, 100));
        byte[] rest = session.encryptUpdate(Arrays.copyOfRange(plain, 100, plain.length));
        byte[] last = session.encryptFinal();
        assertEquals(0, rest.length);
        assertArrayEquals(sealed, last);

        byte[] tampered = sealed.clone();
        tampered[5] ^= 1;
        /* The wrapper takes the 3.0 interface, whose code for a failed tag check this is. */
        assertCkr(CKR_AEAD_DECRYPT_FAILED, () -> session.decryptSingle(gcm(iv, aad), key, tampered));
        assertCkr(CKR_AEAD_DECRYPT_FAILED, () -> session.decryptSingle(gcm(iv, "volume-2".getBytes(StandardCharsets.UTF_8)), key, sealed));
        assertCkr(CKR_DATA_LEN_RANGE, () -> session.encryptSingle(gcm(iv, aad), key, new byte[65537]));
    }

    @Test
    void gcmTagsOfTwelveToSixteenBytesAreTheLeadingBytesOfTheFullTagAndOthersAreRefused() throws Exception {
        long key = aesKey("short-tags");
        byte[] iv = randomIv();
        byte[] aad = "volume-3".getBytes(StandardCharsets.UTF_8);
        byte[] plain = new byte[100];
        RANDOM.nextBytes(plain);
        byte[] full = session.encryptSingle(gcm(iv, aad), key, plain);
        for (int bits = 96; bits < 128; bits += 8) {
            byte[] sealed = session.encryptSingle(gcm(iv, aad, bits), key, plain);
            assertArrayEquals(Arrays.copyOf(full, plain.length + bits / 8), sealed, "tag bits " + bits);
            assertArrayEquals(plain, session.decryptSingle(gcm(iv, aad, bits), key, sealed));
            sealed[sealed.length - 1] ^= 1;
            int tagBits = bits;
            assertCkr(CKR_AEAD_DECRYPT_FAILED, () -> session.decryptSingle(gcm(iv, aad, tagBits), key, sealed));
        }
        for (int bits : new int[] {32, 64}) { /* the wrapper refuses other values itself */
            assertCkr(CKR_MECHANISM_PARAM_INVALID, () -> session.encryptInit(gcm(iv, aad, bits), key));
        }
    }

    @Test
    void gcmOverEmptyDataSealsTheAssociatedDataInOneAndInManyParts() throws Exception {
        long key = aesKey("empty-gcm");
        byte[] iv = randomIv();
        byte[] aad = "header only".getBytes(StandardCharsets.UTF_8);
        byte[] tag = session.encryptSingle(gcm(iv, aad), key, new byte[0]);
        assertEquals(16, tag.length);

        session.encryptInit(gcm(iv, aad), key);
        assertArrayEquals(tag, session.encryptFinal(), "final with no update");
        session.encryptInit(gcm(iv, aad), key);
        assertEquals(0, session.encryptUpdate(new byte[0]).length);
        assertArrayEquals(tag, session.encryptFinal(), "an empty update, then final");

        assertEquals(0, session.decryptSingle(gcm(iv, aad), key, tag).length);
        session.decryptInit(gcm(iv, aad), key);
        assertEquals(0, session.decryptUpdate(tag).length);
        assertEquals(0, session.decryptFinal().length);
        assertCkr(CKR_AEAD_DECRYPT_FAILED, () -> session.decryptSingle(gcm(iv, "other".getBytes(StandardCharsets.UTF_8)),
                key, tag));
    }

    @Test
    void tresorGcmLetsTheServerPickTheNonceAndRestReadsItsCiphertext() throws Exception {
        long key = aesKey("tresor-gcm");
        assertEquals(1L, version(key));
        assertArrayEquals(TRUE, attributeBytes(key, CKA_TRESOR_PRIMARY));
        byte[] plain = new byte[64];
        RANDOM.nextBytes(plain);
        byte[] first = session.encryptSingle(tresorGcm("pv-1"), key, plain);
        byte[] second = session.encryptSingle(tresorGcm("pv-1"), key, plain);
        assertEquals(plain.length + 33, first.length);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1}, Arrays.copyOf(first, 5), "format 1, version 1");
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, 5, 17), Arrays.copyOfRange(second, 5, 17)),
                "the server draws a fresh nonce");
        assertArrayEquals(plain, session.decryptSingle(tresorGcm("pv-1"), key, first));
        assertCkr(CKR_AEAD_DECRYPT_FAILED, () -> session.decryptSingle(tresorGcm("pv-2"), key, first));

        byte[] noAad = session.encryptSingle(new Mechanism(CKM_TRESOR_AES_GCM), key, plain);
        String[] ringAndKey = kmipRingAndKey("tresor-gcm");
        JsonNode opened = tresor.server().rest("POST", "/keyrings/" + ringAndKey[0] + "/keys/" + ringAndKey[1]
                + "/versions/1/decrypt", "{\"data\":\"" + Base64.getEncoder().encodeToString(noAad) + "\"}");
        assertArrayEquals(plain, Base64.getDecoder().decode(opened.get("data").asText()), "REST reads the same format");
    }

    @Test
    void aRotatedKeyIsOneObjectPerVersionAndOnlyThePrimaryEncrypts() throws Exception {
        long first = aesKey("rotated");
        byte[] plain = "data key of volume 9".getBytes(StandardCharsets.UTF_8);
        byte[] sealedByFirst = session.encryptSingle(tresorGcm("pv-9"), first, plain);
        /* Version 1's KMIP UID is the key id (docs/kmip.md); the wrapper cannot read CKA_UNIQUE_ID. */
        tresor.server().kmipReKey(kmipRingAndKey("rotated")[1]);

        long[] found = session.findObjectsSingle(new AttributeVector().class_(CKO_SECRET_KEY).label("rotated"), 10);
        assertEquals(2, found.length);
        long second = found[0];
        assertEquals(first, found[1], "the primary version comes first");
        assertEquals(2L, version(second));
        assertArrayEquals(FALSE, attributeBytes(first, CKA_TRESOR_PRIMARY));
        AttributeVector old = session.getAttrValues(first, CKA_ENCRYPT, CKA_DECRYPT);
        assertFalse(old.getBooleanAttrValue(CKA_ENCRYPT), "an older version only decrypts");
        assertTrue(old.getBooleanAttrValue(CKA_DECRYPT));
        assertTrue(session.getAttrValues(second, CKA_ENCRYPT).getBooleanAttrValue(CKA_ENCRYPT));
        assertCkr(CKR_KEY_FUNCTION_NOT_PERMITTED, () -> session.encryptInit(tresorGcm("pv-9"), first));

        assertArrayEquals(plain, session.decryptSingle(tresorGcm("pv-9"), second, sealedByFirst),
                "the ciphertext names its version");
        assertArrayEquals(plain, session.decryptSingle(tresorGcm("pv-9"), first, sealedByFirst));
        byte[] sealedBySecond = session.encryptSingle(tresorGcm("pv-9"), second, plain);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 2}, Arrays.copyOf(sealedBySecond, 5));

        assertArrayEquals(new long[] {second}, session.findObjectsSingle(new AttributeVector().label("rotated")
                .attr(CKA_TRESOR_PRIMARY, TRUE), 10));
        assertArrayEquals(new long[] {first}, session.findObjectsSingle(new AttributeVector().label("rotated")
                .attr(CKA_TRESOR_VERSION, nativeUlong(1)), 10));
    }

    @Test
    void onlyKeysTresorGeneratedAreLocal() throws Exception {
        long generated = aesKey("made-in-tresor");
        byte[] material = new byte[32];
        RANDOM.nextBytes(material);
        tresor.server().kmipRegisterAes256("brought-in", material);
        long[] registered = session.findObjectsSingle(new AttributeVector().class_(CKO_SECRET_KEY).label("brought-in"), 10);
        assertEquals(1, registered.length);

        AttributeVector made = session.getAttrValues(generated, CKA_LOCAL, CKA_KEY_GEN_MECHANISM);
        assertEquals(Boolean.TRUE, made.getBooleanAttrValue(CKA_LOCAL));
        assertEquals(CKM_AES_KEY_GEN, made.getLongAttrValue(CKA_KEY_GEN_MECHANISM));
        AttributeVector brought = session.getAttrValues(registered[0], CKA_LOCAL, CKA_KEY_GEN_MECHANISM);
        assertEquals(Boolean.FALSE, brought.getBooleanAttrValue(CKA_LOCAL), "a registered key was not generated in Tresor");
        Long mechanism = brought.getLongAttrValue(CKA_KEY_GEN_MECHANISM);
        assertTrue(mechanism == null || mechanism == CK_UNAVAILABLE_INFORMATION, "no generation mechanism: " + mechanism);
    }

    @Test
    void findObjectsLocatesKeysByLabelAndId() throws Exception {
        long key = aesKey("find-me");
        assertArrayEquals(new long[] {key}, session.findObjectsSingle(new AttributeVector().class_(CKO_SECRET_KEY)
                .label("find-me"), 10));
        assertArrayEquals(new long[] {key}, session.findObjectsSingle(new AttributeVector()
                .id("find-me".getBytes(StandardCharsets.UTF_8)), 10));
        assertEquals(0, session.findObjectsSingle(new AttributeVector().label("nobody-has-this"), 10).length);
        assertEquals("find-me", session.getAttrValues(key, CKA_LABEL).label());
    }

    @Test
    void rsaKeysSignWithPssAndPkcs1AndTheJdkAgrees() throws Exception {
        KeyPairTemplate template = new KeyPairTemplate(CKK_RSA).token(true).labels("rsa-sign")
                .id("rsa-sign".getBytes(StandardCharsets.UTF_8)).signVerify(true);
        template.publicKey().modulusBits(2048);
        PKCS11KeyPair pair = session.generateKeyPair(new Mechanism(CKM_RSA_PKCS_KEY_PAIR_GEN), template);
        for (long half : new long[] {pair.getPrivateKey(), pair.getPublicKey()}) {
            AttributeVector origin = session.getAttrValues(half, CKA_LOCAL, CKA_KEY_GEN_MECHANISM);
            assertEquals(Boolean.TRUE, origin.getBooleanAttrValue(CKA_LOCAL), "generated in Tresor (y-tresor-generated)");
            assertEquals(CKM_RSA_PKCS_KEY_PAIR_GEN, origin.getLongAttrValue(CKA_KEY_GEN_MECHANISM));
        }
        byte[] message = "the volume key is protected".getBytes(StandardCharsets.UTF_8);
        Mechanism pss = new Mechanism(CKM_SHA256_RSA_PKCS_PSS, new RSA_PKCS_PSS_PARAMS(CKM_SHA256, CKG_MGF1_SHA256, 32));
        byte[] signature = session.signSingle(pss, pair.getPrivateKey(), message);
        session.verifySingle(pss, pair.getPublicKey(), message, signature);
        Signature jdk = Signature.getInstance("RSASSA-PSS");
        jdk.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        jdk.initVerify(publicKey(pair.getPublicKey(), "RSA"));
        jdk.update(message);
        assertTrue(jdk.verify(signature));

        byte[] pkcs1 = session.signSingle(new Mechanism(CKM_SHA256_RSA_PKCS), pair.getPrivateKey(), message);
        Signature sha256WithRsa = Signature.getInstance("SHA256withRSA");
        sha256WithRsa.initVerify(publicKey(pair.getPublicKey(), "RSA"));
        sha256WithRsa.update(message);
        assertTrue(sha256WithRsa.verify(pkcs1));
        byte[] other = "another message".getBytes(StandardCharsets.UTF_8);
        assertCkr(CKR_SIGNATURE_INVALID, () -> session.verifySingle(new Mechanism(CKM_SHA256_RSA_PKCS),
                pair.getPublicKey(), other, pkcs1));
        assertCkr(CKR_KEY_FUNCTION_NOT_PERMITTED, () -> session.decryptInit(
                new Mechanism(CKM_RSA_PKCS_OAEP, new RSA_PKCS_OAEP_PARAMS(CKM_SHA256, CKG_MGF1_SHA256)),
                pair.getPrivateKey()));
    }

    @Test
    void ecKeysSignWithEcdsaAndTheJdkAgrees() throws Exception {
        KeyPairTemplate template = new KeyPairTemplate(CKK_EC).token(true).labels("ec-sign").signVerify(true);
        template.publicKey().ecParams(P256);
        PKCS11KeyPair pair = session.generateKeyPair(new Mechanism(CKM_EC_KEY_PAIR_GEN), template);
        byte[] message = "ecdsa".getBytes(StandardCharsets.UTF_8);
        byte[] signature = session.signSingle(new Mechanism(CKM_ECDSA_SHA256), pair.getPrivateKey(), message);
        assertEquals(64, signature.length);
        session.verifySingle(new Mechanism(CKM_ECDSA_SHA256), pair.getPublicKey(), message, signature);
        Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
        jdk.initVerify(publicKey(pair.getPublicKey(), "EC"));
        jdk.update(message);
        assertTrue(jdk.verify(signature));
    }

    @Test
    void oaepEncryptsLocallyDecryptsInTresorAndWrapsSessionKeys() throws Exception {
        KeyPairTemplate template = new KeyPairTemplate(CKK_RSA).token(true).labels("rsa-oaep")
                .decryptEncrypt(true).unwrapWrap(true).signVerify(false);
        template.publicKey().modulusBits(2048);
        PKCS11KeyPair pair = session.generateKeyPair(new Mechanism(CKM_RSA_PKCS_KEY_PAIR_GEN), template);
        Mechanism oaep = new Mechanism(CKM_RSA_PKCS_OAEP, new RSA_PKCS_OAEP_PARAMS(CKM_SHA256, CKG_MGF1_SHA256));
        byte[] secret = new byte[64];
        RANDOM.nextBytes(secret);
        Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
        jdk.init(Cipher.ENCRYPT_MODE, publicKey(pair.getPublicKey(), "RSA"), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        assertArrayEquals(secret, session.decryptSingle(oaep, pair.getPrivateKey(), jdk.doFinal(secret)));
        assertArrayEquals(secret, session.decryptSingle(oaep, pair.getPrivateKey(),
                session.encryptSingle(oaep, pair.getPublicKey(), secret)));

        byte[] label = "volume-5".getBytes(StandardCharsets.UTF_8);
        Mechanism labelled = new Mechanism(CKM_RSA_PKCS_OAEP, new RSA_PKCS_OAEP_PARAMS(CKM_SHA256, CKG_MGF1_SHA256,
                CKZ_DATA_SPECIFIED, label));
        jdk.init(Cipher.ENCRYPT_MODE, publicKey(pair.getPublicKey(), "RSA"), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, new PSource.PSpecified(label)));
        byte[] withLabel = jdk.doFinal(secret);
        assertArrayEquals(secret, session.decryptSingle(labelled, pair.getPrivateKey(), withLabel));
        assertArrayEquals(secret, session.decryptSingle(labelled, pair.getPrivateKey(),
                session.encryptSingle(labelled, pair.getPublicKey(), secret)));
        assertCkr(CKR_ENCRYPTED_DATA_INVALID, () -> session.decryptSingle(oaep, pair.getPrivateKey(), withLabel));

        long dek = session.generateKey(new Mechanism(CKM_GENERIC_SECRET_KEY_GEN), AttributeVector
                .newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64).extractable(true).sensitive(false));
        byte[] wrapped = session.wrapKey(oaep, pair.getPublicKey(), dek);
        long unwrapped = session.unwrapKey(oaep, pair.getPrivateKey(), wrapped, AttributeVector
                .newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64).extractable(true).sensitive(false));
        assertArrayEquals(session.getAttrValues(dek, CKA_VALUE).value(), session.getAttrValues(unwrapped, CKA_VALUE).value());
        long kek = aesKey("not-exported");
        assertCkr(CKR_KEY_UNEXTRACTABLE, () -> session.wrapKey(oaep, pair.getPublicKey(), kek));
    }

    @Test
    void sessionKeysWrapAndUnwrapUnderATresorKeyWithKeyWrap() throws Exception {
        long kek = aesKey("wrapping-kek");
        long dek = session.generateKey(new Mechanism(CKM_GENERIC_SECRET_KEY_GEN), AttributeVector
                .newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64).extractable(true).sensitive(false));
        byte[] value = session.getAttrValues(dek, CKA_VALUE).value();
        for (long mechanism : new long[] {CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD, CKM_AES_KEY_WRAP}) {
            byte[] wrapped = session.wrapKey(new Mechanism(mechanism), kek, dek);
            assertEquals(72, wrapped.length, Long.toHexString(mechanism));
            long unwrapped = session.unwrapKey(new Mechanism(mechanism), kek, wrapped, AttributeVector
                    .newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64).extractable(true).sensitive(false));
            assertArrayEquals(value, session.getAttrValues(unwrapped, CKA_VALUE).value());
            wrapped[3] ^= 1;
            assertCkr(CKR_WRAPPED_KEY_INVALID, () -> session.unwrapKey(new Mechanism(mechanism), kek, wrapped,
                    AttributeVector.newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64)));
        }
    }

    @Test
    void aKeySoftDeletedInTresorMayNoLongerBeUsed() throws Exception {
        long key = aesKey("deleted-behind-our-back");
        Mechanism mechanism = gcm(new byte[12], new byte[0]);
        byte[] sealed = session.encryptSingle(mechanism, key, new byte[16]);
        String[] ringAndKey = kmipRingAndKey("deleted-behind-our-back");
        tresor.server().rest("DELETE", "/keyrings/" + ringAndKey[0] + "/keys/" + ringAndKey[1], null);
        /* FAILED_PRECONDITION (Wrong Lifecycle State): restorable for 30 days, so not "not found". */
        assertCkr(CKR_KEY_FUNCTION_NOT_PERMITTED, () -> session.decryptSingle(mechanism, key, sealed));
        assertEquals(WRONG_LIFECYCLE_STATE, session.getSessionInfo().getDeviceError());
    }

    @Test
    void randomBytesComeFromTresorInChunks() throws Exception {
        byte[] random = session.generateRandom(10_000);
        assertEquals(10_000, random.length);
        assertFalse(Arrays.equals(random, session.generateRandom(10_000)));
    }

    @Test
    void destroyedKeysDisappear() throws Exception {
        long key = aesKey("short-lived");
        session.destroyObject(key);
        assertEquals(0, session.findObjectsSingle(new AttributeVector().label("short-lived"), 10).length);
        assertCkr(CKR_OBJECT_HANDLE_INVALID, () -> session.getAttrValues(key, CKA_LABEL));
        assertCkr(CKR_KEY_HANDLE_INVALID, () -> session.encryptInit(gcm(new byte[12], new byte[0]), key));
    }

    @Test
    void eightThreadsShareAndSeparateSessionsWithoutFailures() throws Exception {
        long key = aesKey("busy");
        Session shared = token.openSession(true);
        AtomicInteger failures = new AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    Session own = token.openSession(true);
                    byte[] iv = new byte[12];
                    for (int i = 0; i < 1000; i++) {
                        if (i % 2 == 0) {
                            RANDOM.nextBytes(iv);
                            byte[] plain = own.generateRandom(32);
                            byte[] sealed = own.encryptSingle(gcm(iv, new byte[0]), key, plain);
                            if (!Arrays.equals(plain, own.decryptSingle(gcm(iv, new byte[0]), key, sealed))) {
                                failures.incrementAndGet();
                            }
                        } else if (shared.generateRandom(16).length != 16) {
                            failures.incrementAndGet();
                        }
                    }
                    own.closeSession();
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        shared.closeSession();
        assertEquals(0, failures.get());
    }

    private PublicKey publicKey(long handle, String algorithm) throws Exception {
        byte[] spki = session.getAttrValues(handle, CKA_PUBLIC_KEY_INFO).getByteArrayAttrValue(CKA_PUBLIC_KEY_INFO);
        assertNotEquals(0, spki.length);
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
    }
}
