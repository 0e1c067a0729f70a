package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.TestCore;
import dev.tresor.kms.testing.WorkloadKeys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A key does exactly what its usages allow: verify-only keys cannot sign, encrypt-only keys cannot decrypt. */
class KeyUsageTest {
    private static final Bytes DATA = Bytes.of("attack at dawn, bring 42 ships".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef key(KeyType type, KeyUsage... usages) {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), "k", type, Set.of(usages),
                Optional.of(false), Map.of()));
        return KeyRef.byId(key.id()).version(1);
    }

    private void refused(String messagePart, org.junit.jupiter.api.function.Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains(messagePart), error.getMessage());
    }

    @Test
    void anAesKeyGrantedMacComputesHmacWithItsBytesOnlyUnderANamedHmacScheme() throws Exception {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), "mac", KeyType.AES_128,
                Set.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY), Optional.of(true), Map.of()));
        VersionRef ref = KeyRef.byId(key.id()).version(1);
        SignRequest hmac = new SignRequest(ref, DATA, false, Optional.of(Scheme.HMAC_SHA256));
        Bytes tag = core.kms().sign(core.admin(), hmac);
        javax.crypto.Mac jdk = javax.crypto.Mac.getInstance("HmacSHA256");
        jdk.init(new javax.crypto.spec.SecretKeySpec(core.kms().exportMaterial(core.admin(), ref).toArray(),
                "HmacSHA256"));
        assertEquals(Bytes.of(jdk.doFinal(DATA.toArray())), tag);
        assertTrue(core.kms().verify(core.admin(), hmac, tag));
        refused("cannot sign", () -> core.kms().sign(core.admin(), SignRequest.message(ref, DATA)));

        VersionRef encryptOnly = key(KeyType.AES_128, KeyUsage.ENCRYPT);
        refused("does not allow mac generate",
                () -> core.kms().sign(core.admin(), new SignRequest(encryptOnly, DATA, false,
                Optional.of(Scheme.HMAC_SHA256))));
    }

    @Test
    void anAesKeyThatMacsMayNeitherEncryptNorDecryptNorWrapNorUnwrap() {
        for (KeyUsage cipher : List.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT, KeyUsage.WRAP, KeyUsage.UNWRAP)) {
            for (KeyUsage mac : List.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY)) {
                refused(mac + " conflict with " + cipher, () -> key(KeyType.AES_256, cipher, mac));
            }
        }
        assertTrue(core.kms().listKeys(core.admin(), core.ring()).isEmpty(), "a refused key was stored");
        refused("does not allow encrypt", () -> core.kms().encrypt(core.admin(), new EncryptRequest(
                key(KeyType.AES_256, KeyUsage.MAC_GENERATE), DATA, Optional.of(Scheme.AES_GCM), Optional.empty(),
                Optional.empty(), false)));
    }

    @Test
    void aProjectOptedInForLegacyKmipClientsHasAesKeysThatMacAndEncryptWithTheSameBytes() throws Exception {
        Set<KeyUsage> both = Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT, KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY);
        Caller legacy = TestCore.caller(core.test().newProject(Project.DEFAULT_CALLS_PER_HOUR,
                new KmipLegacy(false, true)), Role.ADMIN);
        String ring = core.kms().createKeyRing(legacy, new CreateKeyRing("ring", Optional.empty())).id();
        Key key = core.kms().createKey(legacy, CreateKey.typed(ring, "both", KeyType.AES_256, both, Optional.of(true),
                Map.of()));
        VersionRef ref = KeyRef.byId(key.id()).version(1);
        SignRequest hmac = new SignRequest(ref, DATA, false, Optional.of(Scheme.HMAC_SHA256));
        Bytes tag = core.kms().sign(legacy, hmac);
        javax.crypto.Mac jdk = javax.crypto.Mac.getInstance("HmacSHA256");
        jdk.init(new javax.crypto.spec.SecretKeySpec(core.kms().exportMaterial(legacy, ref).toArray(), "HmacSHA256"));
        assertEquals(Bytes.of(jdk.doFinal(DATA.toArray())), tag);
        assertTrue(core.kms().verify(legacy, hmac, tag));
        Encrypted sealed = core.kms().encrypt(legacy, EncryptRequest.envelope(ref, DATA));
        assertEquals(DATA, core.kms().decrypt(legacy, DecryptRequest.envelope(ref, sealed.data())));
        assertTrue(core.kms().usageConflict(legacy, KeyType.AES_256, both).isEmpty());

        refused("MAC_GENERATE, MAC_VERIFY conflict with ENCRYPT, DECRYPT", () -> core.kms().createKey(core.admin(),
                CreateKey.typed(core.ring(), "both", KeyType.AES_256, both, Optional.of(true), Map.of())));
        assertTrue(core.kms().usageConflict(core.admin(), KeyType.AES_256, both).orElseThrow()
                .contains("kmipAesMacWithCipher"), "the refusal names the opt-in");
    }

    @Test
    void aVerifyOnlyKeyCannotSign() {
        VersionRef ec = key(KeyType.EC_P256, KeyUsage.VERIFY);
        refused("sign", () -> core.kms().sign(core.admin(), SignRequest.message(ec, DATA)));
        VersionRef hmac = key(KeyType.HMAC_SHA256, KeyUsage.MAC_VERIFY);
        refused("mac generate", () -> core.kms().sign(core.admin(), SignRequest.message(hmac, DATA)));
    }

    @Test
    void aSignOnlyKeyCannotVerify() {
        VersionRef ec = key(KeyType.EC_P256, KeyUsage.SIGN);
        Bytes signature = core.kms().sign(core.admin(), SignRequest.message(ec, DATA));
        refused("verify", () -> core.kms().verify(core.admin(), SignRequest.message(ec, DATA), signature));
    }

    @Test
    void anEncryptOnlyKeyCannotDecryptNorLeakTheKeystreamThroughAChosenIv() {
        VersionRef aes = key(KeyType.AES_256, KeyUsage.ENCRYPT);
        Encrypted victim = core.kms().encrypt(core.admin(), new EncryptRequest(aes, DATA, Optional.of(Scheme.AES_GCM),
                Optional.empty(), Optional.empty(), false));
        refused("decrypt", () -> core.kms().decrypt(core.admin(), new DecryptRequest(aes, victim.data(),
                Optional.of(Scheme.AES_GCM), Optional.empty(), victim.iv(), victim.tag(), false)));
        refused("IV", () -> core.kms().encrypt(core.admin(), new EncryptRequest(aes,
                Bytes.wrap(new byte[DATA.length()]), Optional.of(Scheme.AES_GCM), Optional.empty(), victim.iv(),
                false)));
    }

    @Test
    void anEncryptOnlyKeyIsNoRawBlockCipherThroughEcbOrAChosenCbcIv() {
        VersionRef aes = key(KeyType.AES_256, KeyUsage.ENCRYPT);
        Bytes block = Bytes.wrap(new byte[16]);
        refused("AES_ECB_NO_PADDING", () -> core.kms().encrypt(core.admin(), new EncryptRequest(aes, block,
                Optional.of(Scheme.AES_ECB_NO_PADDING), Optional.empty(), Optional.empty(), false)));
        refused("IV", () -> core.kms().encrypt(core.admin(), new EncryptRequest(aes, block,
                Optional.of(Scheme.AES_CBC_NO_PADDING), Optional.empty(), Optional.of(block), false)));
        Encrypted serverIv = core.kms().encrypt(core.admin(), new EncryptRequest(aes, block,
                Optional.of(Scheme.AES_CBC_NO_PADDING), Optional.empty(), Optional.empty(), false));
        assertEquals(16, serverIv.iv().orElseThrow().length());
    }

    @Test
    void aKeyPinnedToRsaPssAcceptsOnlyTheHashLengthSaltWhileAnUnpinnedKeyAcceptsAny() throws Exception {
        java.security.KeyPair pair = WorkloadKeys.rsa();
        Bytes pkcs8 = Bytes.wrap(pair.getPrivate().getEncoded());
        KeyRef pinnedKey = KeyRef.byId(core.kms().createKey(core.admin(), CreateKey.rest(core.ring(), "pss",
                Optional.empty(), dev.tresor.kms.key.Algorithm.RSA_2048_PSS_SHA256, "software", Key.AccessScope.PUBLIC,
                true)).id());
        VersionRef pinned = pinnedKey.version(core.kms().importPlainKey(core.admin(), pinnedKey, pkcs8).number());
        KeyRef unpinnedKey = key(KeyType.RSA_2048, KeyUsage.VERIFY).key();
        VersionRef unpinned = unpinnedKey.version(core.kms().importPlainKey(core.admin(), unpinnedKey, pkcs8).number());

        for (int salt : new int[] {32, 0, 222}) {
            java.security.Signature signer = java.security.Signature.getInstance("RSASSA-PSS");
            signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                    java.security.spec.MGF1ParameterSpec.SHA256, salt, 1));
            signer.initSign(pair.getPrivate());
            signer.update(DATA.toArray());
            Bytes signature = Bytes.wrap(signer.sign());
            assertEquals(salt == 32, core.kms().verify(core.admin(), new SignRequest(pinned, DATA, false,
                    Optional.empty()), signature), "salt " + salt);
            assertTrue(core.kms().verify(core.admin(), new SignRequest(unpinned, DATA, false,
                    Optional.of(Scheme.RSA_PSS_SHA256)), signature), "salt " + salt);
        }
    }

    @Test
    void aWrapOnlyKeyWrapsButDoesNotEncryptWithGcm() {
        VersionRef aes = key(KeyType.AES_256, KeyUsage.WRAP, KeyUsage.UNWRAP);
        Bytes dataKey = Bytes.wrap(new byte[32]);
        Encrypted wrapped = core.kms().encrypt(core.admin(), new EncryptRequest(aes, dataKey,
                Optional.of(Scheme.AES_KEY_WRAP_PAD), Optional.empty(), Optional.empty(), false));
        assertEquals(dataKey, core.kms().decrypt(core.admin(), new DecryptRequest(aes, wrapped.data(),
                Optional.of(Scheme.AES_KEY_WRAP_PAD), Optional.empty(), Optional.empty(), Optional.empty(), false)));
        refused("encrypt", () -> core.kms().encrypt(core.admin(), new EncryptRequest(aes, DATA,
                Optional.of(Scheme.AES_GCM), Optional.empty(), Optional.empty(), false)));
    }
}
