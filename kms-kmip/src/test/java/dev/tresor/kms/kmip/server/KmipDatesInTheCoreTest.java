package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.Encrypted;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * The Protect Stop Date a KMIP client sets binds the key in the core, so another front-end (REST
 * calls the same KeyManagement) cannot use a KMIP-created key past it either; edits of the date
 * over KMIP reach the core in the same write.
 */
class KmipDatesInTheCoreTest {
    private static final Bytes DATA = Bytes.of(new byte[] {1, 2, 3});

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private KmipTestServer server;
    /** The caller REST would make for the project's admin: the core call another front-end makes. */
    private Caller restCaller;
    /** The server clock at the start of the test (tests move it forward). */
    private Instant now;

    @BeforeEach
    void shareTheServer() {
        server = LOOPBACK.server();
        restCaller = TestCore.caller(server.tenant, Role.ADMIN);
        now = server.core.clock().instant();
    }

    private KeyManagement kms() {
        return server.core.core().keyManagement();
    }

    @Test
    void aKmipKeyPastItsProtectStopDateEncryptsThroughNoFrontEndUntilTheDateIsRemoved() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02), kmip.attributes(
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C), Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)),
                    Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.plusSeconds(60))))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            EncryptRequest overRest = EncryptRequest.envelope(KeyRef.byId(uid).version(1), DATA);
            assertEquals(1, kms().encrypt(restCaller, overRest).version());

            server.core.clock().advance(Duration.ofSeconds(61));
            refusedPastItsProtectStopDate(() -> kms().encrypt(restCaller, overRest));
            assertEquals(ResultReason.PERMISSION_DENIED.code(),
                    kmip.refused(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, DATA)));

            kmip.ok(Operation.DELETE_ATTRIBUTE, Kmip.uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, "Protect Stop Date"));
            assertEquals(1, kms().encrypt(restCaller, overRest).version());
            kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, DATA));
        }
    }

    @Test
    void theReplacementAReKeyMakesCarriesTheDatesIntoTheCore() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)),
                    Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.plusSeconds(60)));
            assertEquals(uid + ".2", kmip.ok(Operation.REKEY, Kmip.uid(uid)).require(Tag.UNIQUE_IDENTIFIER).asText());
            EncryptRequest overRest = EncryptRequest.envelope(KeyRef.byId(uid).version(2), DATA);
            assertEquals(2, kms().encrypt(restCaller, overRest).version());

            server.core.clock().advance(Duration.ofSeconds(61));
            KmsError refused = assertThrows(KmsError.class,
                    () -> kms().encrypt(restCaller, overRest));
            assertTrue(refused.getMessage().contains("version 2 of key") && refused.getMessage()
                    .contains("past its Protect Stop Date"), refused.getMessage());
        }
    }

    @Test
    void eachHalfOfAPairIsBoundByItsOwnDatesNotByTheOtherHalfs() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv pair = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x04), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0F)));
            String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
            String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
            for (String uid : new String[] {privateKey, publicKey}) {
                kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            }
            Ttlv pss = Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.PADDING_METHOD, 0x0A),
                    Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x06));
            kmip.ok(Operation.SIGN, Kmip.uid(privateKey), pss, Ttlv.bytes(Tag.DATA, DATA));
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(privateKey), stopAt(now.plusSeconds(60)));
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(publicKey), stopAt(now.plusSeconds(120)));
            server.core.clock().advance(Duration.ofSeconds(61));

            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(),
                    kmip.refused(Operation.SIGN, Kmip.uid(privateKey), pss, Ttlv.bytes(Tag.DATA, DATA)),
                    "the private object past its own Protect Stop Date signs no more");
            Bytes sealed = kmip.ok(Operation.ENCRYPT, Kmip.uid(publicKey), Ttlv.bytes(Tag.DATA, DATA))
                    .require(Tag.DATA).asBytes();
            assertEquals(DATA, kmip.ok(Operation.DECRYPT, Kmip.uid(privateKey), Ttlv.bytes(Tag.DATA, sealed))
                    .require(Tag.DATA).asBytes(), "the private object's Protect Stop Date does not stop the public half");

            server.core.clock().advance(Duration.ofSeconds(60));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(),
                    kmip.refused(Operation.ENCRYPT, Kmip.uid(publicKey), Ttlv.bytes(Tag.DATA, DATA)),
                    "the public object past its own Protect Stop Date encrypts no more");
        }
    }

    @Test
    void everyKmipEditOfADateReachesTheCore() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)));
            EncryptRequest overRest = EncryptRequest.envelope(KeyRef.byId(uid).version(1), DATA);
            Executable encrypt = () -> kms().encrypt(restCaller, overRest);

            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), stopAt(now.minusSeconds(1)));
            refusedPastItsProtectStopDate(encrypt);
            kmip.ok(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid), stopAt(now.plusSeconds(3600)));
            assertEquals(1, kms().encrypt(restCaller, overRest).version());
            kmip.ok(Operation.SET_ATTRIBUTE, Kmip.uid(uid), stopAt(now.minusSeconds(1)));
            refusedPastItsProtectStopDate(encrypt);
        }
    }

    @Test
    void aProcessStartDateFromKmipHoldsBackTheCoreDecryptUntilItComes() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)),
                    Ttlv.dateTime(Tag.PROCESS_START_DATE, now.plusSeconds(60)));
            VersionRef version = KeyRef.byId(uid).version(1);
            Encrypted sealed = kms().encrypt(restCaller,
                    EncryptRequest.envelope(version, DATA));
            DecryptRequest open = new DecryptRequest(version, sealed.data(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), true);
            KmsError refused = assertThrows(KmsError.class,
                    () -> kms().decrypt(restCaller, open));
            assertTrue(refused.getMessage().contains("before its Process Start Date"), refused.getMessage());

            server.core.clock().advance(Duration.ofSeconds(61));
            assertEquals(DATA, kms().decrypt(restCaller, open));
        }
    }

    @Test
    void anUndoneDateEditTakesTheCoresPeriodBackToo() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)));
            List<Ttlv> answers = Requests.items(client.call(Requests.message(ProtocolVersion.V2_1,
                    List.of(Ttlv.enumeration(Tag.BATCH_ERROR_CONTINUATION_OPTION, 3)),
                    Requests.item(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), stopAt(now.minusSeconds(1))),
                    Requests.item(Operation.GET, Kmip.uid("no-such-object")))));

            assertEquals(List.of(ResultStatus.OPERATION_UNDONE.code(), ResultStatus.OPERATION_FAILED.code()),
                    answers.stream().map(Requests::status).toList());
            assertEquals(1, kms().encrypt(restCaller,
                    EncryptRequest.envelope(KeyRef.byId(uid).version(1), DATA)).version(), "no date binds the key");
        }
    }

    private static Ttlv stopAt(Instant date) {
        return Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.dateTime(Tag.PROTECT_STOP_DATE, date));
    }

    private static void refusedPastItsProtectStopDate(Executable call) {
        KmsError refused = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("past its Protect Stop Date"), refused.getMessage());
    }
}
