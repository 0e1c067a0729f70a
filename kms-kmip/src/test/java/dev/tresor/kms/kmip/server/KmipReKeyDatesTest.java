package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.Encrypted;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The dates of the replacement a KMIP ReKey makes (spec 1.4 section 4.4): copied without an
 * Offset; with one, the Activation Date is the Initial Date plus the Offset and the Process Start,
 * Protect Stop and Deactivation Dates keep their distance from it. The core's period of the new
 * version is the replacement's, from the rotation's own write on. A replacement that would not be
 * Active at once is refused, and a past Deactivation Date is not carried onto it.
 */
class KmipReKeyDatesTest {
    private static final Bytes DATA = Bytes.of(new byte[] {1, 2, 3});
    /** Old object: Activation and Process Start at T-5, Protect Stop at T+60, Deactivation at T+120. */
    private static final long PROTECT_STOP = 60;
    private static final long DEACTIVATION = 120;
    private static final int CESSATION_OF_OPERATION = 6;
    private static final Instant LAST_SECOND = Instant.ofEpochSecond(Instant.MAX.getEpochSecond());
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private KmipTestServer server;
    /** T: the server clock when the old key is made (tests move it forward). */
    private Instant now;

    @BeforeEach
    void shareTheServer() {
        server = LOOPBACK.server();
        now = server.core.clock().instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private String createOldKey(Kmip kmip) throws Exception {
        return kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)),
                Ttlv.dateTime(Tag.PROCESS_START_DATE, now.minusSeconds(5)),
                Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.plusSeconds(PROTECT_STOP)),
                Ttlv.dateTime(Tag.DEACTIVATION_DATE, now.plusSeconds(DEACTIVATION)));
    }

    private static Instant date(Kmip kmip, String uid, String name) throws Exception {
        return kmip.namedAttribute(uid, name).orElseThrow(() -> new AssertionError(uid + " has no " + name))
                .asDateTime();
    }

    private static int state(Kmip kmip, String uid) throws Exception {
        return kmip.namedAttribute(uid, "State").orElseThrow().asEnum();
    }

    /** The caller REST would make for the project's admin: the core call another front-end makes. */
    private Caller restCaller() {
        return TestCore.caller(server.tenant, Role.ADMIN);
    }

    private KeyManagement kms() {
        return server.core.core().keyManagement();
    }

    private Key coreKey(String uid) {
        return kms().getKey(restCaller(), KeyRef.byId(uid));
    }

    private UsePeriod corePeriod(String uid, long version) {
        return coreKey(uid).usePeriod(version);
    }

    /** The Result Message of a refused item, after checking its reason. */
    private static String refusal(ResultReason reason, Ttlv item) {
        assertEquals(reason.code(), Requests.reason(item), () -> item.find(Tag.RESULT_MESSAGE).map(Ttlv::asText)
                .orElse("no message"));
        return item.require(Tag.RESULT_MESSAGE).asText();
    }

    private long tokensLeft() {
        return kms().rateLimitStatus(server.tenant).remaining();
    }

    /** The records of the key's rotations, KMIP's and the core's, as operation and result. */
    private List<String> rotationRecords(String uid) {
        return kms().exportAudit(restCaller(), Instant.EPOCH, FOREVER).stream()
                .filter(r -> r.resource().contains(uid) && List.of("kmip.rekey", "key.rotate").contains(r.operation()))
                .map(r -> r.operation() + " " + r.result()).toList();
    }

    /**
     * The answer to a ReKey that must be refused before the rotation: counted once and recorded
     * once as the refusal {@code recorded}, with no rotation record and nothing logged as failed.
     */
    private Ttlv refusedReKey(Kmip kmip, String old, String recorded, Ttlv... offset) throws Exception {
        long tokens = tokensLeft();
        Ttlv item;
        try (CapturedLogs logs = CapturedLogs.start()) {
            item = kmip.item(Operation.REKEY, Stream.concat(Stream.of(Kmip.uid(old)), Stream.of(offset))
                    .toArray(Ttlv[]::new));
            assertEquals(List.of(), logs.messages());
        }
        assertEquals(tokens - 1, tokensLeft(), "the item is counted once");
        assertEquals(List.of("kmip.rekey " + recorded), rotationRecords(old));
        assertEquals(1, coreKey(old).lastVersion(), "the rotation was written");
        return item;
    }

    private static Ttlv offset(long seconds) {
        return Ttlv.interval(Tag.OFFSET, seconds);
    }

    @Test
    void withAnOffsetTheReplacementIsActivatedThatLongAfterItsInitialDateAndItsDatesKeepTheirDistances()
            throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = createOldKey(kmip);
            server.core.clock().advance(Duration.ofSeconds(100)); // the old key is past its Protect Stop Date
            Instant rekeyed = now.plusSeconds(100);

            String replacement = kmip.ok(Operation.REKEY, Kmip.uid(old), offset(0))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();

            Duration moved = Duration.ofSeconds(105); // from the old Activation Date (T-5) to the new (T+100)
            assertEquals(rekeyed, date(kmip, replacement, "Initial Date"));
            assertEquals(rekeyed, date(kmip, replacement, "Activation Date"));
            assertEquals(now.minusSeconds(5).plus(moved), date(kmip, replacement, "Process Start Date"));
            Instant protectStop = now.plusSeconds(PROTECT_STOP).plus(moved);
            assertEquals(protectStop, date(kmip, replacement, "Protect Stop Date"));
            assertEquals(now.plusSeconds(DEACTIVATION).plus(moved), date(kmip, replacement, "Deactivation Date"));
            assertEquals(2, state(kmip, replacement), "Active: its Activation Date has come");
            assertEquals(new UsePeriod(Optional.of(protectStop), Optional.of(rekeyed)), corePeriod(old, 2));
            kmip.ok(Operation.ENCRYPT, Kmip.uid(replacement), Ttlv.bytes(Tag.DATA, DATA));

            server.core.clock().advance(Duration.ofSeconds(PROTECT_STOP + 6));
            assertEquals(ResultReason.PERMISSION_DENIED.code(),
                    kmip.refused(Operation.ENCRYPT, Kmip.uid(replacement), Ttlv.bytes(Tag.DATA, DATA)));
        }
    }

    /**
     * The core makes the new version the key's current one for every front-end at once, so a
     * replacement that would be Pre-Active is refused before the rotation: REST would otherwise
     * encrypt with it and refuse to decrypt until its moved Process Start Date.
     */
    @Test
    void aReKeyWhoseReplacementWouldBeActivatedLaterIsRefusedBeforeTheRotation() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = createOldKey(kmip);

            String message = refusal(ResultReason.FEATURE_NOT_SUPPORTED,
                    refusedReKey(kmip, old, "INVALID_ARGUMENT", offset(3600)));

            assertTrue(message.contains(now.plusSeconds(3600).toString()) && message.contains(
                    "a replacement that is not active at once is not offered: it would be the key's current version"
                            + " for every front-end"), message);
            assertTrue(kmip.namedAttribute(old, "Link").isEmpty(), "the old object was linked to a replacement");
            assertTrue(rekeyOps(old).endsWith("key.rotate:INVALID_ARGUMENT"), rekeyOps(old));
            assertEquals(1, kms().encrypt(restCaller(), EncryptRequest.envelope(KeyRef.byId(old).primary(), DATA))
                    .version());
        }
    }

    /** The ops of the key's one {@code kmip.rekey} record: the core calls the item made. */
    private String rekeyOps(String uid) {
        List<String> ops = kms().exportAudit(restCaller(), Instant.EPOCH, FOREVER).stream()
                .filter(r -> r.resource().contains(uid) && r.operation().equals("kmip.rekey"))
                .map(r -> r.details().get("ops")).toList();
        assertEquals(1, ops.size(), () -> "kmip.rekey records: " + ops);
        return ops.get(0);
    }

    /** An RSA key pair made over KMIP; answers its private object's Unique Identifier. */
    private static String createKeyPair(Kmip kmip) throws Exception {
        return kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x04), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x03)))
                .require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
    }

    /**
     * A role that may use the key but not rotate it is denied before its Offset, or the type of
     * the object it names, is judged: its answer, and the record an auditor watches for lifecycle
     * attempts, say Permission Denied for the operation refused, {@code key.rotate}.
     */
    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"CRYPTO_USER", "AUDITOR"})
    void aRoleThatMayNotRotateIsDeniedKeyRotateBeforeItsOffsetOrObjectTypeIsJudged(Role role) throws Exception {
        String aes;
        String privateKey;
        try (KmipTestClient client = server.client()) {
            Kmip admin = new Kmip(client, ProtocolVersion.V1_4);
            aes = createOldKey(admin);
            privateKey = createKeyPair(admin);
        }
        try (KmipTestClient denied = server.client(role)) {
            Kmip kmip = new Kmip(denied, ProtocolVersion.V2_1);

            String offsetMessage = refusal(ResultReason.PERMISSION_DENIED,
                    refusedReKey(kmip, aes, "PERMISSION_DENIED", offset(3600)));
            String pairMessage = refusal(ResultReason.PERMISSION_DENIED,
                    refusedReKey(kmip, privateKey, "PERMISSION_DENIED"));

            for (String message : List.of(offsetMessage, pairMessage)) {
                assertEquals("role " + role.wireName() + " may not key.rotate", message);
            }
        }
        for (String uid : List.of(aes, privateKey)) {
            assertTrue(rekeyOps(uid).endsWith("key.rotate:PERMISSION_DENIED"), rekeyOps(uid));
        }
    }

    /**
     * A registered key is import-only: the core refuses its rotation, and that refusal comes
     * before the Offset is judged, for a caller whose role may rotate keys.
     */
    @Test
    void aRegisteredKeysReKeyIsPermissionDeniedBeforeItsOffsetIsJudged() throws Exception {
        String registered;
        try (KmipTestClient client = server.client()) {
            registered = new Kmip(client, ProtocolVersion.V1_4).registerActiveKey(now, 0x03, 256, 0x0C,
                    Bytes.of(new byte[32]));
        }
        try (KmipTestClient keyAdmin = server.client(Role.KEY_ADMIN)) {
            Kmip kmip = new Kmip(keyAdmin, ProtocolVersion.V2_1);

            String message = refusal(ResultReason.PERMISSION_DENIED,
                    refusedReKey(kmip, registered, "PERMISSION_DENIED", offset(3600)));

            assertTrue(message.contains("is import-only"), message);
        }
        assertTrue(rekeyOps(registered).endsWith("key.rotate:PERMISSION_DENIED"), rekeyOps(registered));
    }

    /**
     * ReKey renews symmetric keys only: the check now runs inside the core's rotation (review
     * s8b s1), so a caller who may rotate gets Invalid Field for a key pair's half and the pair's
     * core key is not rotated, which would leave its public object without a replacement.
     */
    @Test
    void aKeyAdminsReKeyOfAKeyPairsPrivateHalfIsAnInvalidFieldAndRotatesNothing() throws Exception {
        String privateKey;
        try (KmipTestClient client = server.client()) {
            privateKey = createKeyPair(new Kmip(client, ProtocolVersion.V1_4));
        }
        try (KmipTestClient keyAdmin = server.client(Role.KEY_ADMIN)) {
            Kmip kmip = new Kmip(keyAdmin, ProtocolVersion.V2_1);

            String message = refusal(ResultReason.INVALID_FIELD,
                    refusedReKey(kmip, privateKey, "INVALID_ARGUMENT"));

            assertTrue(message.contains("ReKey renews symmetric keys"), message);
        }
        assertTrue(rekeyOps(privateKey).endsWith("key.rotate:INVALID_ARGUMENT"), rekeyOps(privateKey));
    }

    @Test
    void aReKeyWithoutAnOffsetOfAKeyNotYetActiveIsRefused() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String old = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.plusSeconds(600)));

            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(), kmip.refused(Operation.REKEY, Kmip.uid(old)));
            assertEquals(1, coreKey(old).lastVersion());
        }
    }

    /**
     * Another front-end encrypts with the key's primary, the replacement, and decrypts what it
     * encrypted. The ReKey was counted once and recorded once, with the one rotation it made.
     */
    @Test
    void afterAReKeyWithOffsetZeroTheOtherFrontEndsRoundTripWithTheReplacement() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = createOldKey(kmip);
            server.core.clock().advance(Duration.ofSeconds(100)); // the old key is past its Protect Stop Date
            long tokens = tokensLeft();

            kmip.ok(Operation.REKEY, Kmip.uid(old), offset(0));

            assertEquals(tokens - 1, tokensLeft(), "the item is counted once");
            assertEquals(List.of("kmip.rekey ok", "key.rotate ok"), rotationRecords(old));

            Encrypted sealed = kms().encrypt(restCaller(), EncryptRequest.envelope(KeyRef.byId(old).primary(), DATA));

            assertEquals(2, sealed.version());
            assertEquals(DATA, kms().decrypt(restCaller(),
                    DecryptRequest.envelope(KeyRef.byId(old).version(sealed.version()), sealed.data())));
        }
    }

    /** The old object was revoked (Deactivation Date now): its replacement is Active, without that date. */
    @Test
    void aPastDeactivationDateIsNotCarriedOntoTheActiveReplacement() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)));
            kmip.ok(Operation.REVOKE, Kmip.uid(old), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, CESSATION_OF_OPERATION)));
            assertTrue(!date(kmip, old, "Deactivation Date").isAfter(now.plusSeconds(1)), "revoked at once");
            server.core.clock().advance(Duration.ofSeconds(30));

            String replacement = kmip.ok(Operation.REKEY, Kmip.uid(old)).require(Tag.UNIQUE_IDENTIFIER).asText();

            assertEquals(2, state(kmip, replacement));
            assertEquals(Optional.empty(), kmip.namedAttribute(replacement, "Deactivation Date"));
            kmip.ok(Operation.ENCRYPT, Kmip.uid(replacement), Ttlv.bytes(Tag.DATA, DATA));
        }
    }

    @Test
    void aStoredDateTheOffsetCannotMoveIsAnInvalidFieldNamingIt() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5)),
                    Ttlv.dateTime(Tag.PROTECT_STOP_DATE, LAST_SECOND));
            server.core.clock().advance(Duration.ofSeconds(10));

            String message = refusal(ResultReason.INVALID_FIELD, refusedReKey(kmip, old, "INVALID_ARGUMENT", offset(0)));

            assertTrue(message.contains("Protect Stop Date " + LAST_SECOND) && message.contains("cannot be moved"),
                    message);
        }
    }

    @Test
    void withoutAnOffsetTheReplacementHasTheOldDates() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = createOldKey(kmip);
            server.core.clock().advance(Duration.ofSeconds(30));

            String replacement = kmip.ok(Operation.REKEY, Kmip.uid(old)).require(Tag.UNIQUE_IDENTIFIER).asText();

            assertEquals(now.plusSeconds(30), date(kmip, replacement, "Initial Date"));
            for (String name : new String[] {"Activation Date", "Process Start Date", "Protect Stop Date",
                    "Deactivation Date"}) {
                assertEquals(date(kmip, old, name), date(kmip, replacement, name), name);
            }
            assertEquals(2, state(kmip, replacement));
        }
    }

    /**
     * The replacement's attributes cannot be stored (two objects of this size exceed the core's 64
     * attribute entries of a key), so the ReKey fails after its rotation was written: the new
     * version has its period all the same, from the rotation's own write.
     */
    @Test
    void theRotationsOwnWriteGivesTheNewVersionItsPeriod() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String old = createOldKey(kmip);
            String bulk = "x".repeat(4000);
            for (int i = 0; i < 26; i++) {
                kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(old), Ttlv.structure(Tag.ATTRIBUTE,
                        Ttlv.text(Tag.ATTRIBUTE_NAME, "x-bulk-" + i), Ttlv.text(Tag.ATTRIBUTE_VALUE, bulk)));
            }
            server.core.clock().advance(Duration.ofSeconds(100));

            Ttlv failed = kmip.item(Operation.REKEY, Kmip.uid(old), offset(0));

            assertTrue(Requests.status(failed) != 0, "the replacement's attributes were stored after all");
            assertTrue(failed.require(Tag.RESULT_MESSAGE).asText().contains("at most 64 attributes"),
                    failed.require(Tag.RESULT_MESSAGE).asText());
            assertEquals(new UsePeriod(Optional.of(now.plusSeconds(PROTECT_STOP + 105)),
                    Optional.of(now.plusSeconds(100))), corePeriod(old, 2));
        }
    }
}
