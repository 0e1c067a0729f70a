package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Digest and Fresh of key objects, over real TLS against a real core: the Digest is the SHA-256 of
 * the material a Get hands out and stays after Revoke and Destroy; Fresh is true until the
 * object's first Get, for each half of a pair on its own, and 1.1 clients on see it.
 */
class KmipDigestAndFreshTest {
    private static final int EC = 0x1A;
    private static final int RSA = 0x04;
    private static final int CESSATION_OF_OPERATION = 6;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void aRevokedThenDestroyedKeyKeepsTheDigestOfTheMaterialAGetHandedOut() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            Bytes material = keyMaterial(kmip, uid);
            Bytes digest = sha256(material);
            assertEquals(digest, digestValue(kmip, uid));

            kmip.ok(Operation.REVOKE, Kmip.uid(uid), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, CESSATION_OF_OPERATION)));
            assertEquals(digest, digestValue(kmip, uid), "revoked");
            assertEquals(material, keyMaterial(kmip, uid), "a revoked key is still handed out");

            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            Ttlv all = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).require(Tag.ATTRIBUTES);
            assertEquals(digest, all.require(Tag.DIGEST).require(Tag.DIGEST_VALUE).asBytes(), "destroyed");
            assertFalse(all.require(Tag.FRESH).asBoolean(), "it was served before");
            assertTrue(kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(uid)).all(Tag.ATTRIBUTE_REFERENCE)
                    .contains(Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, Tag.DIGEST.code())), "Get Attribute List names it");
        }
    }

    @Test
    void eachHalfOfAPairIsFreshUntilItsOwnFirstGet() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv pair = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, EC), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256)));
            String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
            String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
            assertEquals(List.of(true, true), List.of(fresh(kmip, privateKey), fresh(kmip, publicKey)));
            kmip.ok(Operation.ACTIVATE, Kmip.uid(publicKey));

            Bytes served = keyMaterial(kmip, publicKey);
            assertEquals(List.of(true, false), List.of(fresh(kmip, privateKey), fresh(kmip, publicKey)));
            assertEquals(sha256(served), digestValue(kmip, publicKey), "the digest of the X.509 public key");
            keyMaterial(kmip, publicKey);
            assertFalse(fresh(kmip, publicKey), "a second Get leaves it as it was");
        }
    }

    @Test
    void freshIsAnAttributeFromOneOneOn() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            String uid = new Kmip(client, ProtocolVersion.V2_1).createAes256();
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_0, ProtocolVersion.V1_1, ProtocolVersion.V1_4)) {
                Optional<Ttlv> value = new Kmip(client, version).namedAttribute(uid, "Fresh");
                assertEquals(version.atLeast(ProtocolVersion.V1_1), value.isPresent(), version.toString());
                value.ifPresent(v -> assertTrue(v.asBoolean(), "never served"));
            }
        }
    }

    @Test
    void theDigestOfEachHalfOfAPairIsOfTheKeyAGetReturnsInTheFormatTheDigestNames() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            for (List<Integer> algorithmAndLength : List.of(List.of(RSA, 2048), List.of(EC, 256))) {
                Ttlv pair = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, algorithmAndLength.get(0)),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, algorithmAndLength.get(1))));
                for (Tag half : List.of(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER, Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER)) {
                    String uid = pair.require(half).asText();
                    kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
                    Ttlv digest = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.enumeration(
                            Tag.ATTRIBUTE_REFERENCE, Tag.DIGEST.code())).require(Tag.ATTRIBUTES).require(Tag.DIGEST);
                    Ttlv answer = kmip.ok(Operation.GET, Kmip.uid(uid), digest.require(Tag.KEY_FORMAT_TYPE));
                    Ttlv object = answer.find(Tag.PRIVATE_KEY).or(() -> answer.find(Tag.PUBLIC_KEY)).orElseThrow();
                    Bytes material = object.require(Tag.KEY_BLOCK).require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL)
                            .asBytes();
                    assertEquals(sha256(material), digest.require(Tag.DIGEST_VALUE).asBytes(),
                            algorithmAndLength + " " + half);
                }
            }
        }
    }

    @Test
    void noClientMayWriteFresh() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.createAes256();
            Ttlv stale = Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.bool(Tag.FRESH, false));
            for (Operation edit : List.of(Operation.ADD_ATTRIBUTE, Operation.SET_ATTRIBUTE)) {
                assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(edit, Kmip.uid(uid), stale),
                        edit.toString());
            }
            assertTrue(fresh(kmip, uid), "the server's flag stands");
        }
    }

    @Test
    void locateByFreshFollowsTheServersFlag() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String served = kmip.createAes256();
            String untouched = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(served));
            kmip.ok(Operation.GET, Kmip.uid(served));

            assertTrue(located(kmip, true).contains(untouched) && !located(kmip, true).contains(served));
            assertTrue(located(kmip, false).contains(served) && !located(kmip, false).contains(untouched));
        }
    }

    private static List<String> located(Kmip kmip, boolean fresh) throws Exception {
        return kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "Fresh"),
                Ttlv.bool(Tag.ATTRIBUTE_VALUE, fresh))).all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList();
    }

    private static Bytes keyMaterial(Kmip kmip, String uid) throws Exception {
        Ttlv answer = kmip.ok(Operation.GET, Kmip.uid(uid));
        Ttlv object = answer.find(Tag.SYMMETRIC_KEY).or(() -> answer.find(Tag.PUBLIC_KEY)).orElseThrow();
        return object.require(Tag.KEY_BLOCK).require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes();
    }

    private static Bytes digestValue(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE,
                Tag.DIGEST.code())).require(Tag.ATTRIBUTES).require(Tag.DIGEST).require(Tag.DIGEST_VALUE).asBytes();
    }

    private static boolean fresh(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE,
                Tag.FRESH.code())).require(Tag.ATTRIBUTES).require(Tag.FRESH).asBoolean();
    }

    private static Bytes sha256(Bytes data) throws Exception {
        return Bytes.of(MessageDigest.getInstance("SHA-256").digest(data.toArray()));
    }
}
