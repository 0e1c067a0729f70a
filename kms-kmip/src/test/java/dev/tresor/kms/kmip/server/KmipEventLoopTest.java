package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.operation.Operations;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A lone KMIP Encrypt or Decrypt as the event loop hands it to {@link MessageProcessor}: answered there
 * without a worker when everything it needs is in memory, else by a worker; either way counted
 * against the budget once and audited once (real core on RocksDB, real certificates).
 */
class KmipEventLoopTest {
    private static final long BUDGET = 5;
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");
    private static final Bytes PLAIN = Bytes.of("attack at dawn".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dataDir;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final AtomicInteger handedToWorkers = new AtomicInteger();
    private final Executor workers = task -> {
        handedToWorkers.incrementAndGet();
        pool.execute(task);
    };
    private TestCore test;
    private Administration admin;
    private TenantId tenant;
    private TestPki pki;
    private X509Certificate client;
    private String fingerprint;
    private MessageProcessor processor;
    private CapturedLogs warnings;

    @BeforeEach
    void open() throws Exception {
        test = TestCore.open(dataDir);
        admin = test.core().administration();
        Project project = admin.createProject(TestCore.OPERATOR, Optional.empty(), OptionalLong.of(BUDGET), KmipLegacy.NONE);
        tenant = new TenantId(project.id(), "eu01");
        pki = new TestPki();
        client = pki.client.certificate();
        fingerprint = admin.registerClientCertificate(TestCore.OPERATOR, project.id(), Role.ADMIN,
                pki.client.certificatePem()).fingerprint();
        ClientAuthenticator registry = certificate -> {
            Grant grant = admin.authenticateClientCertificate(certificate);
            return grant.callerIn(new TenantId(grant.projectId().orElseThrow(), "eu01"));
        };
        processor = new MessageProcessor(Operations.standard(), kms(), registry, TtlvLimits.DEFAULT, test.clock());
        warnings = CapturedLogs.start(); // after the dev seal's own warning
    }

    @AfterEach
    void close() {
        warnings.close();
        pool.shutdownNow();
        test.close();
    }

    private KeyManagement kms() {
        return test.core().keyManagement();
    }

    private static byte[] message(Operation operation, Ttlv... payload) {
        return message(ProtocolVersion.V2_1, operation, payload);
    }

    /**
     * A 1.x message carries header fields before its Batch Count as 1.x clients send them (a
     * Maximum Response Size, an Integer like the count), so the peek must walk past them.
     */
    private static byte[] message(ProtocolVersion version, Operation operation, Ttlv... payload) {
        List<Ttlv> header = version.isTwoOrLater() ? List.of()
                : List.of(Ttlv.integer(Tag.MAXIMUM_RESPONSE_SIZE, 1 << 20),
                        Ttlv.enumeration(Tag.BATCH_ERROR_CONTINUATION_OPTION, 1));
        return TtlvWriter.write(Requests.message(version, header, Requests.item(operation, payload)));
    }

    private static Ttlv answer(CompletableFuture<byte[]> response) {
        return Requests.items(TtlvReader.read(response.join(), TtlvLimits.DEFAULT)).get(0);
    }

    private Ttlv onWorker(Operation operation, Ttlv... payload) {
        return answer(processor.process(message(operation, payload), client));
    }

    private Ttlv onEventLoop(Operation operation, Ttlv... payload) {
        return answer(processor.process(message(operation, payload), client, workers));
    }

    private String createKey() {
        Ttlv created = onWorker(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02), Ttlv.structure(Tag.ATTRIBUTES,
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C), Ttlv.dateTime(Tag.ACTIVATION_DATE,
                        test.clock().instant().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5))));
        assertSucceeded(created);
        return created.require(Tag.RESPONSE_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static void assertSucceeded(Ttlv item) {
        assertEquals(0, Requests.status(item), () -> item.find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse(""));
    }

    private Ttlv[] encryption(String uid) {
        return new Ttlv[] {Kmip.uid(uid), Ttlv.bytes(Tag.DATA, PLAIN)};
    }

    private long tokensLeft() {
        return kms().rateLimitStatus(tenant).remaining();
    }

    /**
     * The tenant's records of encryptions and decryptions (the KMIP call's own and any of the
     * core's), as operation and result; read an hour later, when the budget allows the export.
     */
    private List<String> cipherRecordsAnHourLater() {
        test.clock().advance(Duration.ofHours(1));
        return kms().exportAudit(TestCore.caller(tenant, Role.AUDITOR), Instant.EPOCH, FOREVER).stream()
                .filter(r -> r.operation().endsWith("crypt")).map(r -> r.operation() + " " + r.result()).toList();
    }

    /**
     * The frame's peek is all that sends a lone Encrypt or Decrypt to be tried here: a miss would
     * still be answered, the same, by a worker, so only the hand-off count shows it.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("loneCipherCalls")
    void aLoneEncryptOrDecryptWithEverythingInMemoryIsAnsweredWithoutAWorkerCountedAndAuditedOnce(
            Operation operation, ProtocolVersion version) {
        String uid = createKey();
        Ttlv encrypted = onWorker(Operation.ENCRYPT, encryption(uid)); // key, material, chain end
        assertSucceeded(encrypted);
        long tokens = tokensLeft();
        Ttlv[] payload = operation == Operation.ENCRYPT ? encryption(uid) : decryption(uid, encrypted);

        Ttlv answered = answer(processor.process(message(version, operation, payload), client, workers));

        assertSucceeded(answered);
        assertEquals(0, handedToWorkers.get(), "answered on the calling thread");
        if (operation == Operation.DECRYPT) {
            assertEquals(PLAIN, answered.require(Tag.RESPONSE_PAYLOAD).require(Tag.DATA).asBytes());
        }
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt ok", "kmip." + operation.name().toLowerCase(Locale.ROOT) + " ok"),
                cipherRecordsAnHourLater());
    }

    static Stream<Arguments> loneCipherCalls() {
        return Stream.of(Operation.ENCRYPT, Operation.DECRYPT).flatMap(operation -> Stream.of(
                ProtocolVersion.V1_4, ProtocolVersion.V2_1).map(version -> Arguments.of(operation, version)));
    }

    /** A Decrypt of what {@code encrypted} (an Encrypt's answer) gave. */
    private static Ttlv[] decryption(String uid, Ttlv encrypted) {
        Ttlv made = encrypted.require(Tag.RESPONSE_PAYLOAD);
        return new Ttlv[] {Kmip.uid(uid), made.require(Tag.DATA), made.require(Tag.IV_COUNTER_NONCE),
                made.require(Tag.AUTHENTICATED_ENCRYPTION_TAG)};
    }

    @Test
    void anEncryptOfAKeyNotInMemoryIsDeclinedSilentlyAndAnsweredByAWorkerCountedAndAuditedOnce() {
        String uid = createKey(); // the write dropped the key's cached records
        long tokens = tokensLeft();
        Ttlv answered = onEventLoop(Operation.ENCRYPT, encryption(uid));

        assertSucceeded(answered);
        assertEquals(1, handedToWorkers.get(), "declined to a worker");
        assertEquals(List.of(), warnings.messages());
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt ok"), cipherRecordsAnHourLater());
    }

    @Test
    void anEncryptOverTheBudgetIsRefusedByAWorkerAndRecordedOnce() {
        String uid = createKey();
        long encrypted = 0;
        for (; tokensLeft() > 0; encrypted++) {
            assertSucceeded(onEventLoop(Operation.ENCRYPT, encryption(uid)));
        }
        int handed = handedToWorkers.get();

        Ttlv refused = onEventLoop(Operation.ENCRYPT, encryption(uid));

        assertEquals(ResultReason.SERVER_LIMIT_EXCEEDED.code(), Requests.reason(refused));
        assertEquals(handed + 2, handedToWorkers.get(), "declined to a worker, which records the refusal, then answered");
        assertEquals(0, tokensLeft());
        List<String> records = cipherRecordsAnHourLater();
        assertEquals(encrypted, records.stream().filter("kmip.encrypt ok"::equals).count(), records.toString());
        assertEquals(List.of("kmip.encrypt RATE_LIMITED"), records.subList((int) encrypted, records.size()));
    }

    @Test
    void aRevokedCertificateIsRefusedAtItsNextEncryptTriedOnTheEventLoop() {
        String uid = createKey();
        assertSucceeded(onWorker(Operation.ENCRYPT, encryption(uid)));
        assertSucceeded(onEventLoop(Operation.ENCRYPT, encryption(uid)));
        assertEquals(0, handedToWorkers.get(), "the certificate was served from memory");

        admin.revokeClientCertificate(TestCore.OPERATOR, tenant.projectId(), fingerprint);
        Ttlv refused = onEventLoop(Operation.ENCRYPT, encryption(uid));

        assertEquals(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL.code(), Requests.reason(refused));
    }
    private static Ttlv secretOf(int bytes) {
        return Ttlv.structure(Tag.SECRET_DATA, Ttlv.enumeration(Tag.SECRET_DATA_TYPE, 1),
                Ttlv.structure(Tag.KEY_BLOCK, Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 0x01), Ttlv.structure(
                        Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.wrap(new byte[bytes])))));
    }

    /** The message with a one-byte Text String at its very end whose padding is not zero: malformed only there. */
    private static byte[] malformedAtTheEnd(Ttlv... items) {
        Ttlv[] marked = new Ttlv[items.length];
        for (int i = 0; i < items.length; i++) {
            List<Ttlv> fields = new ArrayList<>(items[i].items());
            if (i == items.length - 1) {
                Ttlv payload = fields.remove(fields.size() - 1);
                List<Ttlv> payloadFields = new ArrayList<>(payload.items());
                payloadFields.add(Ttlv.text(Tag.ATTRIBUTE_NAME, "x"));
                fields.add(Ttlv.structure(Tag.REQUEST_PAYLOAD, payloadFields));
            }
            marked[i] = Ttlv.structure(Tag.BATCH_ITEM, fields);
        }
        byte[] frame = TtlvWriter.write(Requests.message(ProtocolVersion.V2_1, marked));
        frame[frame.length - 1] = 1;
        return frame;
    }

    /**
     * Processes {@code frame} as the event loop does, with workers that only queue; then runs what
     * was queued on a thread of its own. Gives the answer, the thread that completed it, and how
     * many tasks were queued before that.
     */
    private record Handed(byte[] answer, Thread completedOn, int queuedAtReturn) {
    }

    private Handed processedWithQueuedWorkers(byte[] frame) throws InterruptedException {
        List<Runnable> queued = new CopyOnWriteArrayList<>();
        CompletableFuture<Handed> handed = processor.process(frame, client, queued::add)
                .thenApply(answer -> new Handed(answer, Thread.currentThread(), 0));
        int atReturn = queued.size();
        Thread worker = new Thread(() -> queued.forEach(Runnable::run), "test-worker");
        worker.start();
        worker.join();
        Handed done = handed.join();
        return new Handed(done.answer(), done.completedOn(), atReturn);
    }

    @Test
    void aLargeRegisterIsDecodedOnAWorkerNotOnTheEventLoopAndAnsweredAsBefore() throws Exception {
        byte[] frame = malformedAtTheEnd(Requests.item(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x07),
                Ttlv.structure(Tag.ATTRIBUTES), secretOf(MessageProcessor.DECODED_ON_EVENT_LOOP)));

        Handed handed = processedWithQueuedWorkers(frame);

        assertEquals(1, handed.queuedAtReturn(), "handed over undecoded: a decode here would have answered at once");
        assertEquals("test-worker", handed.completedOn().getName());
        Ttlv refused = answer(CompletableFuture.completedFuture(handed.answer()));
        assertEquals(ResultReason.INVALID_MESSAGE.code(), Requests.reason(refused));
        assertArrayEquals(processor.process(frame, client).join(), handed.answer(), "the same answer as a worker gives");
    }

    @Test
    void aSmallMessageOfTwoItemsIsDecodedOnAWorker() throws Exception {
        String uid = createKey();
        byte[] frame = malformedAtTheEnd(Requests.item(Operation.ENCRYPT, encryption(uid)),
                Requests.item(Operation.ENCRYPT, encryption(uid)));

        Handed handed = processedWithQueuedWorkers(frame);

        assertEquals(1, handed.queuedAtReturn());
        assertEquals("test-worker", handed.completedOn().getName());
        assertArrayEquals(processor.process(frame, client).join(), handed.answer());
    }

    @Test
    void aSmallLoneMalformedMessageIsStillAnsweredOnTheEventLoop() throws Exception {
        String uid = createKey();
        byte[] frame = malformedAtTheEnd(Requests.item(Operation.ENCRYPT, encryption(uid)));

        Handed handed = processedWithQueuedWorkers(frame);

        assertEquals(0, handed.queuedAtReturn());
        assertEquals(Thread.currentThread(), handed.completedOn());
        assertArrayEquals(processor.process(frame, client).join(), handed.answer());
    }

    /** The header says one item and the frame holds two: refused on the loop, nothing tried or counted. */
    @Test
    void aSmallFrameWhoseHeaderUnderstatesItsItemsIsAnInvalidMessageWithNothingTried() throws Exception {
        String uid = createKey();
        long tokens = tokensLeft();
        byte[] frame = TtlvWriter.write(Ttlv.structure(Tag.REQUEST_MESSAGE,
                Ttlv.structure(Tag.REQUEST_HEADER, ProtocolVersion.V2_1.toTtlv(), Ttlv.integer(Tag.BATCH_COUNT, 1)),
                Requests.item(Operation.ENCRYPT, encryption(uid)), Requests.item(Operation.ENCRYPT, encryption(uid))));

        Handed handed = processedWithQueuedWorkers(frame);

        assertEquals(0, handed.queuedAtReturn());
        assertEquals(Thread.currentThread(), handed.completedOn());
        Ttlv refused = answer(CompletableFuture.completedFuture(handed.answer()));
        assertEquals(ResultReason.INVALID_MESSAGE.code(), Requests.reason(refused));
        assertEquals(tokens, tokensLeft());
        assertEquals(List.of(), cipherRecordsAnHourLater());
    }

    /** Only a lone Encrypt or Decrypt can be answered on the loop, so only such a frame is decoded there. */
    @Test
    void aSmallLoneMessageOfAnotherOperationIsDecodedOnAWorker() throws Exception {
        String uid = createKey();
        byte[] frame = malformedAtTheEnd(Requests.item(Operation.GET, Kmip.uid(uid)));

        Handed handed = processedWithQueuedWorkers(frame);

        assertEquals(1, handed.queuedAtReturn(), "handed over undecoded: a decode here would have answered at once");
        assertEquals("test-worker", handed.completedOn().getName());
        assertArrayEquals(processor.process(frame, client).join(), handed.answer());
    }

    @Test
    void aLargeWellFormedRegisterSucceedsOnAWorker() {
        byte[] frame = message(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x07),
                Ttlv.structure(Tag.ATTRIBUTES), secretOf(4 * MessageProcessor.DECODED_ON_EVENT_LOOP));

        assertSucceeded(answer(processor.process(frame, client, workers)));
        assertEquals(1, handedToWorkers.get());
    }

    @Test
    void anEncryptDeclinedWhileTheWorkersAreStoppingIsAnInternalErrorLoggedCountedAndRecordedOnce() {
        String uid = createKey(); // not in memory: the try declines it after taking its token
        long tokens = tokensLeft();
        Ttlv refused = answer(processor.process(message(Operation.ENCRYPT, encryption(uid)), client, task -> {
            throw new RejectedExecutionException("stopped");
        }));

        assertEquals(ResultReason.GENERAL_FAILURE.code(), Requests.reason(refused));
        assertEquals("internal error", refused.require(Tag.RESULT_MESSAGE).asText());
        assertEquals(List.of("SEVERE KMIP ENCRYPT failed: the server is stopping"), warnings.messages());
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt INTERNAL"), cipherRecordsAnHourLater());
    }
}
