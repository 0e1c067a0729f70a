package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.tenant.Role;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The project's hourly budget and the caller's role, as a KMIP client meets them. */
class KmipLimitsAndRolesTest {
    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static Ttlv rng() {
        return Ttlv.integer(Tag.DATA_LENGTH, 16);
    }

    @Test
    void theHourlyBudgetIsServerLimitExceededIn2xAndGeneralFailureIn1xSayingWhenToRetry() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 2)) {
            Kmip two = new Kmip(client, ProtocolVersion.V2_1);
            Kmip one = new Kmip(client, ProtocolVersion.V1_4);
            two.ok(Operation.RNG_RETRIEVE, rng());
            one.ok(Operation.RNG_RETRIEVE, rng());
            Ttlv refused = two.item(Operation.RNG_RETRIEVE, rng());
            assertEquals(ResultReason.SERVER_LIMIT_EXCEEDED.code(), Requests.reason(refused));
            assertTrue(refused.require(Tag.RESULT_MESSAGE).asText().contains("retry after"));
            assertEquals(ResultReason.GENERAL_FAILURE.code(), one.refused(Operation.RNG_RETRIEVE, rng()));
            LOOPBACK.server().core.clock().advance(Duration.ofHours(1));
            two.ok(Operation.RNG_RETRIEVE, rng());
        }
    }

    @Test
    void eachBatchItemSpendsExactlyOneCallOfTheBudgetHoweverManyCoreCallsItTakes() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 4)) {
            List<Ttlv> items = Requests.items(client.call(Requests.message(ProtocolVersion.V1_4,
                    Requests.item(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 2), new Kmip(client,
                            ProtocolVersion.V1_4).attributes(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 3),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128))),
                    Requests.item(Operation.GET_ATTRIBUTES),
                    Requests.item(Operation.DISCOVER_VERSIONS))));
            assertEquals(List.of(ResultStatus.SUCCESS.code(), ResultStatus.SUCCESS.code(), ResultStatus.SUCCESS.code()),
                    items.stream().map(Requests::status).toList());
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            kmip.ok(Operation.QUERY, Ttlv.enumeration(Tag.QUERY_FUNCTION, 1));
            assertEquals(ResultReason.SERVER_LIMIT_EXCEEDED.code(), kmip.refused(Operation.DISCOVER_VERSIONS));
        }
    }

    @Test
    void aCryptoUserMayEncryptButNotCreate() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.CRYPTO_USER, 1000)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            assertEquals(ResultReason.PERMISSION_DENIED.code(), kmip.refused(Operation.CREATE,
                    Ttlv.enumeration(Tag.OBJECT_TYPE, 2), kmip.attributes(
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 3), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128))));
            kmip.ok(Operation.RNG_RETRIEVE, rng());
        }
    }

    @Test
    void anAuditorReadsAttributesButNeitherTheMaterialNorItsDigest() throws Exception {
        String uid;
        try (KmipTestClient admin = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(admin, ProtocolVersion.V1_4);
            uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 2), kmip.attributes(
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 3), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128)))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            assertTrue(attributeNames(kmip, uid).contains("Digest"), "the admin may use the key");
        }
        try (KmipTestClient cryptoUser = LOOPBACK.server().client(Role.CRYPTO_USER)) {
            assertTrue(attributeNames(new Kmip(cryptoUser, ProtocolVersion.V1_4), uid).contains("Digest"),
                    "a crypto user may use the key");
        }
        try (KmipTestClient auditor = LOOPBACK.server().client(Role.AUDITOR)) {
            Kmip kmip = new Kmip(auditor, ProtocolVersion.V1_4);
            List<String> names = attributeNames(kmip, uid);
            assertTrue(names.contains("Cryptographic Length") && names.contains("Fresh"), names::toString);
            assertFalse(names.contains("Digest"), "a digest of the key is an offline test for a guessed key");
            assertEquals(ResultReason.PERMISSION_DENIED.code(), kmip.refused(Operation.GET, Kmip.uid(uid)));
        }
    }

    private static List<String> attributeNames(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).all(Tag.ATTRIBUTE).stream()
                .map(a -> a.require(Tag.ATTRIBUTE_NAME).asText()).toList();
    }

    @Test
    void projectsDoNotSeeEachOthersObjects() throws Exception {
        String uid;
        try (KmipTestClient owner = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(owner, ProtocolVersion.V2_1);
            uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 2), kmip.attributes(
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 3), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128)))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
        }
        try (KmipTestClient stranger = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1000)) {
            Kmip kmip = new Kmip(stranger, ProtocolVersion.V2_1);
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(), kmip.refused(Operation.GET_ATTRIBUTES, Kmip.uid(uid)));
            assertEquals(0, kmip.ok(Operation.LOCATE).all(Tag.UNIQUE_IDENTIFIER).size());
        }
    }
}
