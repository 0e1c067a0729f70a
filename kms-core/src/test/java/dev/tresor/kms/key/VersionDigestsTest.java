package dev.tresor.kms.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.store.StoredJson;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A version keeps the SHA-256 digests of its key from when the material was made: they equal the
 * digests of the material and public key a client is given, survive disable, destroy and delete;
 * a version stored before digests were kept has none (its material is not read for them). Its
 * served flags turn true once, on the first export of the material or of the public key.
 */
class VersionDigestsTest {
    private static final HexFormat HEX = HexFormat.of();

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    @Test
    void theDigestsEqualThoseOfWhatAClientIsGiven() throws Exception {
        KeyManagement kms = core.kms();
        Caller admin = core.admin();
        VersionRef aes = create(KeyType.AES_256, KeyUsage.ENCRYPT);
        VersionDigests aesDigests = kms.getVersion(admin, aes).digests().orElseThrow();
        assertEquals(sha256(kms.exportMaterial(admin, aes).toArray()), aesDigests.material());
        assertTrue(aesDigests.publicKey().isEmpty(), "a symmetric key has no public key");

        VersionRef rsa = create(KeyType.RSA_2048, KeyUsage.SIGN);
        VersionDigests rsaDigests = kms.getVersion(admin, rsa).digests().orElseThrow();
        KeyFactory rsaKeys = KeyFactory.getInstance("RSA");
        RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) rsaKeys.generatePrivate(
                new PKCS8EncodedKeySpec(kms.exportMaterial(admin, rsa).toArray()));
        RSAPublicKey publicKey = (RSAPublicKey) rsaKeys.generatePublic(
                new X509EncodedKeySpec(kms.publicKey(admin, rsa).toArray()));
        assertEquals(sha256(pkcs1(privateKey)), rsaDigests.material(), "RSA: the PKCS#1 private key");
        assertEquals(sha256(new org.bouncycastle.asn1.pkcs.RSAPublicKey(publicKey.getModulus(),
                publicKey.getPublicExponent()).getEncoded()), rsaDigests.publicKey().orElseThrow(),
                "RSA: the PKCS#1 public key");

        VersionRef ec = create(KeyType.EC_P256, KeyUsage.SIGN);
        VersionDigests ecDigests = kms.getVersion(admin, ec).digests().orElseThrow();
        assertEquals(sha256(kms.exportMaterial(admin, ec).toArray()), ecDigests.material(), "EC: PKCS#8");
        assertEquals(sha256(kms.publicKey(admin, ec).toArray()), ecDigests.publicKey().orElseThrow(), "EC: X.509");
    }

    @Test
    void theDigestSurvivesDisableDestroyAndDeleteUntilThePurgeErasesTheVersion() {
        KeyManagement kms = core.kms();
        Caller admin = core.admin();
        VersionRef first = create(KeyType.AES_128, KeyUsage.ENCRYPT);
        String digest = sha256(kms.exportMaterial(admin, first).toArray());
        kms.rotateKey(admin, first.key());

        kms.disableVersion(admin, first);
        assertEquals(digest, kms.getVersion(admin, first).digests().orElseThrow().material(), "disabled");
        kms.destroyVersion(admin, first);
        assertEquals(digest, kms.getVersion(admin, first).digests().orElseThrow().material(), "destroyed");
        kms.deleteKey(admin, first.key());
        assertEquals(digest, kms.getVersion(admin, first).digests().orElseThrow().material(), "key deleted");

        core.test().clock().advance(Duration.ofDays(31));
        assertEquals(1, kms.purgeExpired());
        KmsError gone = assertThrows(KmsError.class, () -> kms.getVersion(admin, first));
        assertEquals(ErrorCode.NOT_FOUND, gone.code(), "a purged version is gone, its digest with it");
    }

    @Test
    void aVersionStoredBeforeDigestsWereKeptHasNoneReadsNoMaterialAndIsNotExportedWhenDisabled() {
        StoreOfAnOlderBuild older = StoreOfAnOlderBuild.open();
        BarrierStore store = older.store();
        Consumer<BarrierStore.Batch> commit = older.commit();
        TenantId tenant = older.tenant();
        String ring = older.ring();
        KeyService keys = older.keys();
        Key key = keys.createKey(tenant, CreateKey.typed(ring, "old", KeyType.EC_P384, Set.of(KeyUsage.SIGN),
                Optional.of(true), Map.of()), KmipLegacy.NONE, commit);
        VersionRef ref = KeyRef.byId(key.id()).version(1);
        KeyVersion made = keys.version(tenant, ref);
        String path = "t/p/eu01/ver/" + key.id() + "/0000000001";
        String pem = new String(StoredJson.encode(made.publicKeyPem().orElseThrow()), StandardCharsets.UTF_8);
        String old = "{\"keyId\":\"" + key.id() + "\",\"keyRingId\":\"" + ring + "\",\"number\":1,"
                + "\"state\":\"DISABLED\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"publicKeyPem\":" + pem + "}";
        BarrierStore.Batch batch = store.batch();
        batch.put(path, old.getBytes(StandardCharsets.UTF_8));
        batch.delete(KeyLedger.materialPath(tenant, key.id(), 1));
        store.write(batch);

        KeyService restarted = older.keys();
        KeyVersion read = restarted.version(tenant, ref);
        assertTrue(read.digests().isEmpty(), "no digest, and no material read for one (there is none left)");
        assertFalse(read.materialServed() || read.publicKeyServed(), "nor a served flag");
        assertTrue(read.revocation().isEmpty(), "disabled before revocations were kept: not revoked");
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), read.createdAt());
        KmsError export = assertThrows(KmsError.class, () -> restarted.exportMaterial(tenant, ref));
        assertEquals(ErrorCode.FAILED_PRECONDITION, export.code());
        assertTrue(export.getMessage().contains("disabled"), export.getMessage());
    }

    @Test
    void theFirstExportOfEachHalfMarksItServedAndLaterChangesKeepTheMark() {
        KeyManagement kms = core.kms();
        Caller admin = core.admin();
        VersionRef pair = create(KeyType.EC_P256, KeyUsage.SIGN);
        KeyVersion fresh = kms.getVersion(admin, pair);
        assertFalse(fresh.materialServed() || fresh.publicKeyServed(), "a new version was never served");

        kms.publicKey(admin, pair);
        KeyVersion publicServed = kms.getVersion(admin, pair);
        assertTrue(publicServed.publicKeyServed());
        assertFalse(publicServed.materialServed(), "handing out the public key leaves the private key fresh");

        kms.exportMaterial(admin, pair);
        assertTrue(kms.getVersion(admin, pair).materialServed());

        kms.disableVersion(admin, pair);
        KeyVersion disabled = kms.getVersion(admin, pair);
        assertTrue(disabled.materialServed() && disabled.publicKeyServed(), "a later change keeps the flags");
        assertEquals(VersionState.DISABLED, disabled.state());
    }

    private VersionRef create(KeyType type, KeyUsage usage) {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), type.name(), type, Set.of(usage),
                Optional.of(true), Map.of()));
        return KeyRef.byId(key.id()).version(1);
    }

    private static byte[] pkcs1(RSAPrivateCrtKey key) throws java.io.IOException {
        return new org.bouncycastle.asn1.pkcs.RSAPrivateKey(key.getModulus(), key.getPublicExponent(),
                key.getPrivateExponent(), key.getPrimeP(), key.getPrimeQ(), key.getPrimeExponentP(),
                key.getPrimeExponentQ(), key.getCrtCoefficient()).getEncoded();
    }

    private static String sha256(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
