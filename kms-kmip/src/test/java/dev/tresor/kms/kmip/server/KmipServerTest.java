package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.operation.Operations;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The KMIP listener on a loopback port with real mutual TLS: framing, versions, batches, limits
 * and client authentication against a real core. Operations that need no stored object
 * (Discover Versions, Query) carry the batch semantics here.
 */
class KmipServerTest {
    private static final int SMALL_LIMIT = 4096;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK =
            new KmipServerExtension(TtlvLimits.DEFAULT.withMaxMessageBytes(SMALL_LIMIT));

    private static KmipTestClient client() throws Exception {
        return LOOPBACK.server().client();
    }

    @Test
    void discoverVersionsListsTheCommonVersionsBestFirstInTheRequestVersion() throws Exception {
        try (KmipTestClient client = client()) {
            Ttlv response = client.call(Requests.message(ProtocolVersion.V1_2,
                    Requests.item(Operation.DISCOVER_VERSIONS, ProtocolVersion.V1_4.toTtlv(),
                            new ProtocolVersion(3, 0).toTtlv(), ProtocolVersion.V2_1.toTtlv())));
            assertEquals(ProtocolVersion.V1_2, Requests.version(response));
            Ttlv header = response.require(Tag.RESPONSE_HEADER);
            assertEquals(List.of(Tag.PROTOCOL_VERSION.code(), Tag.TIME_STAMP.code(), Tag.BATCH_COUNT.code()),
                    header.items().stream().map(Ttlv::tag).toList(), "PyKMIP accepts no other header field");
            assertEquals(LOOPBACK.server().core.clock().instant(), header.require(Tag.TIME_STAMP).asDateTime());
            Ttlv item = Requests.items(response).get(0);
            assertEquals(ResultStatus.SUCCESS.code(), Requests.status(item));
            assertEquals(List.of(ProtocolVersion.V2_1, ProtocolVersion.V1_4),
                    item.require(Tag.RESPONSE_PAYLOAD).all(Tag.PROTOCOL_VERSION).stream()
                            .map(ProtocolVersion::from).toList());
        }
    }

    @Test
    void discoverVersionsWithoutAListNamesEverySupportedVersion() throws Exception {
        try (KmipTestClient client = client()) {
            Ttlv item = Requests.items(client.call(Requests.discoverVersions(ProtocolVersion.V2_1))).get(0);
            assertEquals(ProtocolVersion.SUPPORTED, item.require(Tag.RESPONSE_PAYLOAD).all(Tag.PROTOCOL_VERSION)
                    .stream().map(ProtocolVersion::from).toList());
        }
    }

    @Test
    void everyVersionIsAnsweredInItselfAndALaterMinorInTheBestOfItsMajor() throws Exception {
        try (KmipTestClient client = client()) {
            for (ProtocolVersion version : ProtocolVersion.SUPPORTED) {
                assertEquals(version, Requests.version(client.call(Requests.discoverVersions(version))));
            }
            assertEquals(ProtocolVersion.V1_4,
                    Requests.version(client.call(Requests.discoverVersions(new ProtocolVersion(1, 9)))));
        }
    }

    @Test
    void anUnknownMajorVersionGetsInvalidMessageWithoutAnOperation() throws Exception {
        try (KmipTestClient client = client()) {
            Ttlv response = client.call(Requests.discoverVersions(new ProtocolVersion(3, 0)));
            Ttlv item = Requests.items(response).get(0);
            assertTrue(item.find(Tag.OPERATION).isEmpty());
            assertEquals(ResultReason.INVALID_MESSAGE.code(), Requests.reason(item));
        }
    }

    @Test
    void queryNamesTheOfferedOperationsAndTheServer() throws Exception {
        try (KmipTestClient client = client()) {
            Ttlv item = Requests.items(client.call(Requests.message(ProtocolVersion.V1_4,
                    Requests.item(Operation.QUERY, Ttlv.enumeration(Tag.QUERY_FUNCTION, 1),
                            Ttlv.enumeration(Tag.QUERY_FUNCTION, 3))))).get(0);
            Ttlv payload = item.require(Tag.RESPONSE_PAYLOAD);
            List<Integer> operations = payload.all(Tag.OPERATION).stream().map(Ttlv::asEnum).toList();
            assertTrue(operations.containsAll(List.of(Operation.QUERY.code(), Operation.DISCOVER_VERSIONS.code())));
            assertEquals(Operations.standard().supported().size(), operations.size());
            assertEquals("Tresor KMS", payload.require(Tag.VENDOR_IDENTIFICATION).asText());
        }
    }

    @Test
    void queryCapabilitiesNamesBatchUndoAndContinueFromOneFour() throws Exception {
        try (KmipTestClient client = client()) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_3, ProtocolVersion.V1_4, ProtocolVersion.V2_1)) {
                Ttlv capabilities = Requests.items(client.call(Requests.message(version,
                        Requests.item(Operation.QUERY, Ttlv.enumeration(Tag.QUERY_FUNCTION, 0x0B))))).get(0)
                        .require(Tag.RESPONSE_PAYLOAD).require(Tag.CAPABILITY_INFORMATION);
                assertTrue(capabilities.require(Tag.ATTESTATION_CAPABILITY).asBoolean(), version.toString());
                assertFalse(capabilities.require(Tag.STREAMING_CAPABILITY).asBoolean(),
                        "Decrypt in parts is not offered");
                assertFalse(capabilities.require(Tag.ASYNCHRONOUS_CAPABILITY).asBoolean());
                assertEquals(version.atLeast(ProtocolVersion.V1_4),
                        capabilities.find(Tag.BATCH_UNDO_CAPABILITY).map(Ttlv::asBoolean).orElse(false),
                        version.toString());
                assertEquals(version.atLeast(ProtocolVersion.V1_4),
                        capabilities.find(Tag.BATCH_CONTINUE_CAPABILITY).map(Ttlv::asBoolean).orElse(false));
            }
            Ttlv oneTwo = Requests.items(client.call(Requests.message(ProtocolVersion.V1_2,
                    Requests.item(Operation.QUERY, Ttlv.enumeration(Tag.QUERY_FUNCTION, 0x0B))))).get(0);
            assertTrue(oneTwo.require(Tag.RESPONSE_PAYLOAD).find(Tag.CAPABILITY_INFORMATION).isEmpty(),
                    "1.2 has no Capability Information");
        }
    }

    @Test
    void aFailedItemStopsTheBatchByDefaultAndContinueRunsTheRest() throws Exception {
        Ttlv unsupported = Requests.item(Operation.CERTIFY);
        Ttlv discover = Requests.item(Operation.DISCOVER_VERSIONS);
        try (KmipTestClient client = client()) {
            List<Ttlv> stopped = Requests.items(client.call(
                    Requests.message(ProtocolVersion.V2_1, unsupported, discover)));
            assertEquals(1, stopped.size());
            assertEquals(ResultReason.OPERATION_NOT_SUPPORTED.code(), Requests.reason(stopped.get(0)));
            assertEquals(Operation.CERTIFY.code(), stopped.get(0).require(Tag.OPERATION).asEnum());

            List<Ttlv> continued = Requests.items(client.call(Requests.message(ProtocolVersion.V1_4,
                    List.of(Ttlv.enumeration(Tag.BATCH_ERROR_CONTINUATION_OPTION, 1)), unsupported, discover)));
            assertEquals(2, continued.size());
            assertEquals(ResultStatus.SUCCESS.code(), Requests.status(continued.get(1)));
        }
    }

    @Test
    void uniqueBatchItemIdsAreEchoed() throws Exception {
        Bytes id = Bytes.of(new byte[] {1, 2, 3, 4});
        Ttlv item = Ttlv.structure(Tag.BATCH_ITEM, Ttlv.enumeration(Tag.OPERATION, Operation.DISCOVER_VERSIONS.code()),
                Ttlv.bytes(Tag.UNIQUE_BATCH_ITEM_ID, id), Ttlv.structure(Tag.REQUEST_PAYLOAD));
        try (KmipTestClient client = client()) {
            Ttlv answer = Requests.items(client.call(Requests.message(ProtocolVersion.V1_2, item))).get(0);
            assertEquals(id, answer.require(Tag.UNIQUE_BATCH_ITEM_ID).asBytes());
        }
    }

    @Test
    void aResponseOverTheMaximumResponseSizeIsRefusedAsTooLarge() throws Exception {
        try (KmipTestClient client = client()) {
            Ttlv item = Requests.items(client.call(Requests.message(ProtocolVersion.V1_4,
                    List.of(Ttlv.integer(Tag.MAXIMUM_RESPONSE_SIZE, 64)), Requests.item(Operation.DISCOVER_VERSIONS))))
                    .get(0);
            assertEquals(ResultReason.RESPONSE_TOO_LARGE.code(), Requests.reason(item));
            assertEquals(Operation.DISCOVER_VERSIONS.code(), item.require(Tag.OPERATION).asEnum());
        }
    }

    @Test
    void aBatchCountThatDoesNotMatchIsAnInvalidMessage() throws Exception {
        Ttlv lying = Ttlv.structure(Tag.REQUEST_MESSAGE,
                Ttlv.structure(Tag.REQUEST_HEADER, ProtocolVersion.V1_4.toTtlv(), Ttlv.integer(Tag.BATCH_COUNT, 2)),
                Requests.item(Operation.DISCOVER_VERSIONS));
        try (KmipTestClient client = client()) {
            Ttlv response = client.call(lying);
            assertEquals(ProtocolVersion.V1_4, Requests.version(response));
            assertEquals(ResultReason.INVALID_MESSAGE.code(), Requests.reason(Requests.items(response).get(0)));
        }
    }

    @Test
    void anUnregisteredCertificateIsRefusedOnEveryItem() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client(LOOPBACK.server().pki.unregisteredClient)) {
            Ttlv item = Requests.items(client.call(Requests.discoverVersions(ProtocolVersion.V1_2))).get(0);
            assertEquals(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL.code(), Requests.reason(item));
        }
    }

    @Test
    void aCertificateFromAnotherCaOrNoneFailsTheHandshake() throws Exception {
        assertThrows(IOException.class, () -> {
            try (KmipTestClient client = LOOPBACK.server().client(LOOPBACK.server().pki.strangerClient)) {
                client.call(Requests.discoverVersions(ProtocolVersion.V1_2));
            }
        });
        SSLContext anonymous = SSLContext.getInstance("TLS");
        anonymous.init(null, trustOnly(), null);
        assertThrows(IOException.class, () -> {
            try (KmipTestClient client = new KmipTestClient(anonymous, LOOPBACK.server().port)) {
                client.call(Requests.discoverVersions(ProtocolVersion.V1_2));
            }
        });
    }

    private static javax.net.ssl.TrustManager[] trustOnly() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", LOOPBACK.server().pki.ca.certificate());
        javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        return factory.getTrustManagers();
    }

    @Test
    void anOversizedFrameClosesTheConnectionAndOthersAreStillServed() throws Exception {
        try (KmipTestClient greedy = client(); KmipTestClient other = client()) {
            byte[] header = {0x42, 0x00, 0x78, 0x01, 0x00, 0x10, 0x00, 0x00};
            greedy.send(header);
            assertTrue(greedy.closedByServer());
            assertEquals(ResultStatus.SUCCESS.code(), Requests.status(Requests.items(
                    other.call(Requests.discoverVersions(ProtocolVersion.V2_0))).get(0)));
        }
    }

    @Test
    void aWellFramedButMalformedBodyGetsInvalidMessageAndTheConnectionStaysUsable() throws Exception {
        try (KmipTestClient client = client()) {
            byte[] garbage = new byte[64];
            new Random(1).nextBytes(garbage);
            System.arraycopy(new byte[] {0x42, 0x00, 0x78, 0x01, 0, 0, 0, 56}, 0, garbage, 0, 8);
            Ttlv answer = TtlvReader.read(client.exchange(garbage), TtlvLimits.DEFAULT);
            assertEquals(ResultReason.INVALID_MESSAGE.code(), Requests.reason(Requests.items(answer).get(0)));
            assertEquals(ResultStatus.SUCCESS.code(), Requests.status(Requests.items(
                    client.call(Requests.discoverVersions(ProtocolVersion.V1_0))).get(0)));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (KmipTestClient client = client()) {
            byte[] first = TtlvWriter.write(Requests.discoverVersions(ProtocolVersion.V1_1));
            byte[] second = TtlvWriter.write(Requests.discoverVersions(ProtocolVersion.V2_0));
            byte[] both = new byte[first.length + second.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            client.send(both);
            assertEquals(ProtocolVersion.V1_1, Requests.version(TtlvReader.read(client.receive(), TtlvLimits.DEFAULT)));
            assertEquals(ProtocolVersion.V2_0, Requests.version(TtlvReader.read(client.receive(), TtlvLimits.DEFAULT)));
        }
    }
}
