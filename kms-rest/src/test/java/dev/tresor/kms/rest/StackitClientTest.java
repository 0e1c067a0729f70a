package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.rest.stackit.ApiClient;
import dev.tresor.kms.rest.stackit.ApiException;
import dev.tresor.kms.rest.stackit.api.DefaultApi;
import dev.tresor.kms.rest.stackit.model.AccessScope;
import dev.tresor.kms.rest.stackit.model.Algorithm;
import dev.tresor.kms.rest.stackit.model.CreateKeyPayload;
import dev.tresor.kms.rest.stackit.model.CreateKeyRingPayload;
import dev.tresor.kms.rest.stackit.model.CreateWrappingKeyPayload;
import dev.tresor.kms.rest.stackit.model.DecryptPayload;
import dev.tresor.kms.rest.stackit.model.EncryptPayload;
import dev.tresor.kms.rest.stackit.model.ImportKeyPayload;
import dev.tresor.kms.rest.stackit.model.Key;
import dev.tresor.kms.rest.stackit.model.KeyRing;
import dev.tresor.kms.rest.stackit.model.Purpose;
import dev.tresor.kms.rest.stackit.model.SignPayload;
import dev.tresor.kms.rest.stackit.model.SignedData;
import dev.tresor.kms.rest.stackit.model.VerifyPayload;
import dev.tresor.kms.rest.stackit.model.Version;
import dev.tresor.kms.rest.stackit.model.WrappingAlgorithm;
import dev.tresor.kms.rest.stackit.model.WrappingKey;
import dev.tresor.kms.rest.stackit.model.WrappingPurpose;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client STACKIT would ship, generated at build time from its own OpenAPI document, drives
 * all 25 operations. Its models reject any response that lacks a required member or carries one
 * the spec does not define, so every call here is also a conformance check of the payloads.
 */
class StackitClientTest {
    private static final String REGION = "eu01";
    private static final byte[] MESSAGE = "the quick brown fox".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();
    private static DefaultApi kms;
    private static UUID project;
    private static ProjectApi admin;

    @BeforeAll
    static void client() {
        admin = server.newProjectApi();
        project = UUID.fromString(admin.projectId());
        ApiClient client = new ApiClient();
        client.setBasePath("http://127.0.0.1:" + server.port());
        client.addDefaultHeader("Authorization", "Bearer " + admin.token());
        kms = new DefaultApi(client);
    }

    private static UUID ring(String name) throws ApiException {
        return kms.createKeyRing(project, REGION, new CreateKeyRingPayload().displayName(name)).getId();
    }

    private static Key key(UUID ring, Algorithm algorithm, Purpose purpose) throws ApiException {
        return kms.createKey(project, REGION, ring, new CreateKeyPayload().displayName(algorithm.getValue())
                .algorithm(algorithm).purpose(purpose).protection("software"));
    }

    @Test
    void keyRingsAreCreatedReadListedAndDeleted() throws ApiException {
        KeyRing ring = kms.createKeyRing(project, REGION,
                new CreateKeyRingPayload().displayName("client-ring").description("made by the generated client"));
        assertEquals(KeyRing.StateEnum.ACTIVE, ring.getState());
        assertEquals(ring, kms.getKeyRing(project, REGION, ring.getId()));
        assertTrue(kms.listKeyRings(project, REGION).getKeyRings().contains(ring));
        kms.deleteKeyRing(project, REGION, ring.getId());
        ApiException gone = assertThrows(ApiException.class, () -> kms.getKeyRing(project, REGION, ring.getId()));
        assertEquals(404, gone.getCode());
    }

    @Test
    void everySymmetricAndOaepAlgorithmEncryptsAndDecrypts() throws Exception {
        UUID ring = ring("ciphers");
        for (Algorithm algorithm : List.of(Algorithm.AES_256_GCM, Algorithm.RSA_2048_OAEP_SHA256,
                Algorithm.RSA_3072_OAEP_SHA256, Algorithm.RSA_4096_OAEP_SHA256, Algorithm.RSA_4096_OAEP_SHA512)) {
            boolean aes = algorithm == Algorithm.AES_256_GCM;
            Key key = key(ring, algorithm, aes ? Purpose.SYMMETRIC_ENCRYPT_DECRYPT : Purpose.ASYMMETRIC_ENCRYPT_DECRYPT);
            assertEquals(algorithm, key.getAlgorithm());
            byte[] ciphertext = kms.encrypt(project, REGION, ring, key.getId(), 1L, new EncryptPayload().data(MESSAGE)).getData();
            assertArrayEquals(MESSAGE, kms.decrypt(project, REGION, ring, key.getId(), 1L,
                    new DecryptPayload().data(ciphertext)).getData(), algorithm.getValue());
            if (!aes) {
                Version version = kms.getVersion(project, REGION, ring, key.getId(), 1L);
                String hash = algorithm == Algorithm.RSA_4096_OAEP_SHA512 ? "SHA-512" : "SHA-256";
                byte[] local = ClientCrypto.oaepEncrypt(ClientCrypto.publicKey(version.getPublicKey(), "RSA"), hash, MESSAGE);
                assertArrayEquals(MESSAGE, kms.decrypt(project, REGION, ring, key.getId(), 1L,
                        new DecryptPayload().data(local)).getData(), "locally encrypted " + algorithm.getValue());
            }
        }
    }

    @Test
    void everyMacAndEcdsaAlgorithmSignsAndVerifies() throws Exception {
        UUID ring = ring("signatures");
        for (Algorithm algorithm : List.of(Algorithm.HMAC_SHA256, Algorithm.HMAC_SHA384, Algorithm.HMAC_SHA512,
                Algorithm.ECDSA_P256_SHA256, Algorithm.ECDSA_P384_SHA384, Algorithm.ECDSA_P521_SHA512)) {
            boolean mac = algorithm.getValue().startsWith("hmac");
            Key key = key(ring, algorithm, mac ? Purpose.MESSAGE_AUTHENTICATION_CODE : Purpose.ASYMMETRIC_SIGN_VERIFY);
            SignedData signed = kms.sign(project, REGION, ring, key.getId(), 1L, new SignPayload().data(MESSAGE));
            assertArrayEquals(MESSAGE, signed.getData());
            assertTrue(kms.verify(project, REGION, ring, key.getId(), 1L,
                    new VerifyPayload().data(MESSAGE).signature(signed.getSignature())).getValid(), algorithm.getValue());
            assertFalse(kms.verify(project, REGION, ring, key.getId(), 1L,
                    new VerifyPayload().data("other".getBytes(StandardCharsets.UTF_8)).signature(signed.getSignature()))
                    .getValid(), algorithm.getValue());
            if (!mac) {
                String jca = "SHA" + algorithm.getValue().substring(algorithm.getValue().length() - 3) + "withECDSA";
                PublicKey publicKey = ClientCrypto.publicKey(
                        kms.getVersion(project, REGION, ring, key.getId(), 1L).getPublicKey(), "EC");
                assertTrue(ClientCrypto.verify(publicKey, jca, MESSAGE, signed.getSignature()), algorithm.getValue());
            }
        }
    }

    /** Tresor's RSA signing values are not in STACKIT's enum: the generated client reads them as unknown, and still works. */
    @Test
    void rsaSigningExtensionsVerifyLocallyAndReadAsUnknownAlgorithm() throws Exception {
        UUID ring = ring("rsa-signing");
        for (String algorithm : List.of("rsa_2048_pss_sha256", "rsa_2048_pkcs1_sha256")) {
            JsonObject created = ProjectApi.expect(202, admin.post(admin.ring(ring.toString()) + "/keys", new JsonObject()
                    .put("displayName", algorithm).put("algorithm", algorithm).put("purpose", "asymmetric_sign_verify")
                    .put("protection", "software")));
            UUID keyId = UUID.fromString(created.getString("id"));
            assertEquals(Algorithm.UNKNOWN_DEFAULT_OPEN_API, kms.getKey(project, REGION, ring, keyId).getAlgorithm());
            SignedData signed = kms.sign(project, REGION, ring, keyId, 1L, new SignPayload().data(MESSAGE));
            PublicKey publicKey = ClientCrypto.publicKey(kms.getVersion(project, REGION, ring, keyId, 1L).getPublicKey(), "RSA");
            String jca = algorithm.contains("pss") ? "RSASSA-PSS" : "SHA256withRSA";
            assertTrue(ClientCrypto.verify(publicKey, jca, MESSAGE, signed.getSignature()), algorithm);
        }
    }

    @Test
    void keysAndVersionsGoThroughTheirWholeLife() throws ApiException {
        UUID ring = ring("lifecycle");
        Key key = kms.createKey(project, REGION, ring, new CreateKeyPayload().displayName("life")
                .algorithm(Algorithm.AES_256_GCM).purpose(Purpose.SYMMETRIC_ENCRYPT_DECRYPT).protection("software")
                .accessScope(AccessScope.SNA));
        assertEquals(AccessScope.SNA, key.getAccessScope());
        assertEquals(key, kms.getKey(project, REGION, ring, key.getId()));
        assertEquals(List.of(key), kms.listKeys(project, REGION, ring).getKeys());

        byte[] oldCiphertext = kms.encrypt(project, REGION, ring, key.getId(), 1L, new EncryptPayload().data(MESSAGE)).getData();
        Version second = kms.rotateKey(project, REGION, ring, key.getId());
        assertEquals(2L, second.getNumber());
        assertEquals(2, kms.listVersions(project, REGION, ring, key.getId()).getVersions().size());
        assertArrayEquals(MESSAGE, kms.decrypt(project, REGION, ring, key.getId(), 1L,
                new DecryptPayload().data(oldCiphertext)).getData());

        kms.disableVersion(project, REGION, ring, key.getId(), 1L);
        assertTrue(kms.getVersion(project, REGION, ring, key.getId(), 1L).getDisabled());
        assertEquals(409, assertThrows(ApiException.class, () -> kms.decrypt(project, REGION, ring, key.getId(), 1L,
                new DecryptPayload().data(oldCiphertext))).getCode());
        kms.enableVersion(project, REGION, ring, key.getId(), 1L);
        assertEquals(Version.StateEnum.ACTIVE, kms.getVersion(project, REGION, ring, key.getId(), 1L).getState());

        kms.destroyVersion(project, REGION, ring, key.getId(), 2L);
        Version destroyed = kms.getVersion(project, REGION, ring, key.getId(), 2L);
        assertEquals(Version.StateEnum.DESTROYED, destroyed.getState());
        assertNotNull(destroyed.getDestroyDate());
        kms.restoreVersion(project, REGION, ring, key.getId(), 2L);
        assertNull(kms.getVersion(project, REGION, ring, key.getId(), 2L).getDestroyDate());

        kms.deleteKey(project, REGION, ring, key.getId());
        Key deleted = kms.getKey(project, REGION, ring, key.getId());
        assertEquals(Key.StateEnum.DELETED, deleted.getState());
        assertNotNull(deleted.getDeletionDate());
        kms.restoreKey(project, REGION, ring, key.getId());
        assertEquals(Key.StateEnum.ACTIVE, kms.getKey(project, REGION, ring, key.getId()).getState());
    }

    @Test
    void importOnlyKeysRefuseRotationWith403() throws ApiException {
        UUID ring = ring("import-only");
        Key key = kms.createKey(project, REGION, ring, new CreateKeyPayload().displayName("byok")
                .algorithm(Algorithm.AES_256_GCM).purpose(Purpose.SYMMETRIC_ENCRYPT_DECRYPT).protection("software")
                .importOnly(true));
        assertEquals(Key.StateEnum.NO_VERSION, key.getState());
        assertEquals(403, assertThrows(ApiException.class,
                () -> kms.rotateKey(project, REGION, ring, key.getId())).getCode());
    }

    @Test
    void wrappedMaterialOfBothFormatsImportsAndWorks() throws Exception {
        UUID ring = ring("byok");
        WrappingKey symmetric = kms.createWrappingKey(project, REGION, ring, new CreateWrappingKeyPayload()
                .displayName("wrap-sym").algorithm(WrappingAlgorithm.RSA_3072_OAEP_SHA256)
                .purpose(WrappingPurpose.WRAP_SYMMETRIC_KEY).protection("software"));
        assertEquals(WrappingKey.StateEnum.ACTIVE, symmetric.getState());
        assertEquals(symmetric, kms.getWrappingKey(project, REGION, ring, symmetric.getId()));

        byte[] aesMaterial = new byte[32];
        Arrays.fill(aesMaterial, (byte) 0x5a);
        Key aes = kms.createKey(project, REGION, ring, new CreateKeyPayload().displayName("imported-aes")
                .algorithm(Algorithm.AES_256_GCM).purpose(Purpose.SYMMETRIC_ENCRYPT_DECRYPT).protection("software")
                .importOnly(true));
        byte[] wrappedAes = ClientCrypto.oaepEncrypt(ClientCrypto.publicKey(symmetric.getPublicKey(), "RSA"), "SHA-256",
                aesMaterial);
        Version imported = kms.importKey(project, REGION, ring, aes.getId(), new ImportKeyPayload()
                .wrappingKeyId(symmetric.getId()).wrappedKey(Base64.getEncoder().encodeToString(wrappedAes)));
        assertEquals(1L, imported.getNumber());
        assertEquals(Version.StateEnum.ACTIVE, imported.getState());
        byte[] ciphertext = kms.encrypt(project, REGION, ring, aes.getId(), 1L, new EncryptPayload().data(MESSAGE)).getData();
        assertArrayEquals(MESSAGE, kms.decrypt(project, REGION, ring, aes.getId(), 1L,
                new DecryptPayload().data(ciphertext)).getData());

        WrappingKey asymmetric = kms.createWrappingKey(project, REGION, ring, new CreateWrappingKeyPayload()
                .displayName("wrap-asym").algorithm(WrappingAlgorithm.RSA_2048_OAEP_SHA256_AES_256_KEY_WRAP)
                .purpose(WrappingPurpose.WRAP_ASYMMETRIC_KEY).protection("software"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Key ec = key(ring, Algorithm.ECDSA_P256_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY);
        byte[] wrappedEc = ClientCrypto.oaepAesKeyWrap(ClientCrypto.publicKey(asymmetric.getPublicKey(), "RSA"),
                "SHA-256", pair.getPrivate().getEncoded());
        Version ecImported = kms.importKey(project, REGION, ring, ec.getId(), new ImportKeyPayload()
                .wrappingKeyId(asymmetric.getId()).wrappedKey(Base64.getEncoder().encodeToString(wrappedEc)));
        assertEquals(2L, ecImported.getNumber());
        SignedData signed = kms.sign(project, REGION, ring, ec.getId(), 2L, new SignPayload().data(MESSAGE));
        assertTrue(ClientCrypto.verify(pair.getPublic(), "SHA256withECDSA", MESSAGE, signed.getSignature()));

        ApiException garbage = assertThrows(ApiException.class, () -> kms.importKey(project, REGION, ring, ec.getId(),
                new ImportKeyPayload().wrappingKeyId(asymmetric.getId())
                        .wrappedKey(Base64.getEncoder().encodeToString(new byte[300]))));
        assertEquals(400, garbage.getCode());
        assertEquals(2, kms.listVersions(project, REGION, ring, ec.getId()).getVersions().size());

        List<UUID> listed = new ArrayList<>();
        kms.listWrappingKeys(project, REGION, ring).getWrappingKeys().forEach(w -> listed.add(w.getId()));
        assertEquals(List.of(symmetric.getId(), asymmetric.getId()).stream().sorted().toList(),
                listed.stream().sorted().toList());
        kms.deleteWrappingKey(project, REGION, ring, symmetric.getId());
        assertEquals(WrappingKey.StateEnum.DELETED, kms.getWrappingKey(project, REGION, ring, symmetric.getId()).getState());
    }
}
