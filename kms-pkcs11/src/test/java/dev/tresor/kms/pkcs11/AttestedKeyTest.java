package dev.tresor.kms.pkcs11;

import static dev.tresor.kms.pkcs11.ModuleWithoutServerTest.assertCkr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_KWP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_FUNCTION_REJECTED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.attrs.Attribute;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;

/**
 * Attestation end to end through the IAIK wrapper: a KEK whose release policy gates decrypt and
 * unwrap gives the volume key back only when the library has an evidence provider, here
 * {@code attestation = command} with tests/attestation/sim-evidence, which asks the dev server's
 * simulated SEV-SNP platform for a report; without one the calls are CKR_FUNCTION_REJECTED.
 * CKA_TRESOR_ATTESTED (the server's y-tresor-attested, which the library names in its load) turns
 * true once the policy gates a use.
 */
class AttestedKeyTest {
    private static final String KEK = "attested-kek";
    private static final String POLICY = """
            {"policy":{"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"},
             {"claim":"snp.measurement","equals":"%s"}]},"attestationRequiredFor":["decrypt","unwrap"]}"""
            .formatted("42".repeat(48));
    private static final long KMIP_ATTESTATION_REQUIRED = 0x14;
    private static final long CKA_TRESOR_ATTESTED = 0xD4520003L;

    static {
        /* The wrapper knows no vendor attributes: read as its native byte. */
        Attribute.putAttributeValueType(CKA_TRESOR_ATTESTED, Attribute.AttrType.BYTEARRAY);
    }

    @RegisterExtension
    static final TresorWithLibrary tresor = TresorWithLibrary.withHourlyBudget(10_000_000);

    @Test
    void aKekWhosePolicyGatesDecryptOpensTheVolumeKeyOnlyWithTheSimulatedEvidenceProvider() throws Exception {
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new GCM_PARAMS(iv, "vol-1".getBytes(), 128));
        Mechanism kwp = new Mechanism(CKM_AES_KEY_WRAP_KWP);
        Session session = loggedIn();
        long kek = session.generateKey(new Mechanism(CKM_AES_KEY_GEN), AttributeVector.newSecretKey(CKK_AES)
                .token(true).valueLen(32).label(KEK).encrypt(true).decrypt(true).wrap(true).unwrap(true));
        long dek = session.generateKey(new Mechanism(CKM_GENERIC_SECRET_KEY_GEN), AttributeVector
                .newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64).extractable(true).sensitive(false));
        byte[] volumeKey = session.getAttrValues(dek, CKA_VALUE).value();
        byte[] sealed = session.encryptSingle(gcm, kek, volumeKey);
        byte[] wrapped = session.wrapKey(kwp, kek, dek);
        assertArrayEquals(new byte[] {0}, attested(session, kek));
        gateDecryptAndUnwrap();

        assertCkr(CKR_FUNCTION_REJECTED, () -> session.decryptSingle(gcm, kek, sealed));
        assertEquals(KMIP_ATTESTATION_REQUIRED, session.getSessionInfo().getDeviceError());
        assertCkr(CKR_FUNCTION_REJECTED, () -> session.unwrapKey(kwp, kek, wrapped, volumeKeyTemplate()));
        session.closeSession();

        reinitialise("attestation = command\nattestation_command = " + evidenceCommand() + "\n");
        Session attested = loggedIn();
        long sameKek = attested.findObjectsSingle(new AttributeVector().label(KEK), 2)[0];
        assertArrayEquals(new byte[] {1}, attested(attested, sameKek), "y-tresor-attested, named in the load");
        assertArrayEquals(volumeKey, attested.decryptSingle(gcm, sameKek, sealed));
        long unwrapped = attested.unwrapKey(kwp, sameKek, wrapped, volumeKeyTemplate());
        assertArrayEquals(volumeKey, attested.getAttrValues(unwrapped, CKA_VALUE).value());
        attested.closeSession();
    }

    private static Session loggedIn() throws Exception {
        Session session = tresor.token().openSession(true);
        session.login(CKU_USER, new char[0]);
        return session;
    }

    private static byte[] attested(Session session, long key) throws Exception {
        return session.getAttrValues(key, CKA_TRESOR_ATTESTED).getByteArrayAttrValue(CKA_TRESOR_ATTESTED);
    }

    private static AttributeVector volumeKeyTemplate() {
        return AttributeVector.newSecretKey(CKK_GENERIC_SECRET).token(false).valueLen(64).extractable(true)
                .sensitive(false);
    }

    /** The KEK's release policy over REST: KMIP keys live in the key ring named kmip, named by their label. */
    private static void gateDecryptAndUnwrap() {
        TresorDevServer server = tresor.server();
        String ring = server.rest("GET", "/keyrings", null).findParents("displayName").stream()
                .filter(r -> r.get("displayName").asText().equals("kmip")).findFirst().orElseThrow().get("id").asText();
        String keyId = server.rest("GET", "/keyrings/" + ring + "/keys", null).findParents("displayName").stream()
                .filter(k -> k.get("displayName").asText().equals(KEK)).findFirst().orElseThrow().get("id").asText();
        server.rest("PUT", "/keyrings/" + ring + "/keys/" + keyId + "/release-policy", POLICY);
    }

    /** The library reads its configuration in C_Initialize: the dev one plus {@code globals}. */
    private static void reinitialise(String globals) throws Exception {
        tresor.module().finalize(null);
        Path configuration = LibraryUnderTest.configuration();
        String dev = Files.readString(configuration);
        int token = dev.indexOf("[token");
        Files.writeString(configuration, dev.substring(0, token) + globals + dev.substring(token));
        tresor.module().initialize();
    }

    /** sim-evidence needs the dev directory in its environment, which the library passes on. */
    private static Path evidenceCommand() {
        Path simEvidence = Path.of(System.getProperty("tresor.pkcs11.simEvidence"));
        assertTrue(Files.isExecutable(simEvidence), simEvidence + " is missing");
        Path command = tresor.directory().resolve("evidence");
        try {
            Files.writeString(command, "#!/bin/sh\nTRESOR_DEV='" + tresor.directory().resolve("tresor-data/dev")
                    + "' exec '" + simEvidence + "' \"$@\"\n");
            Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return command;
    }
}
