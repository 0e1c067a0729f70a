package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.ManagedObject;
import dev.tresor.kms.key.ObjectPublicKey;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.GatedClock;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedObjectsTest {
    private static final Bytes SECRET = Bytes.of(new byte[] {1, 2, 3, 4});

    @TempDir
    Path dataDir;

    private TestCore test;
    private KeyManagement kms;
    private Caller admin;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        kms = test.core().keyManagement();
        admin = TestCore.caller(test.newProject(), Role.ADMIN);
    }

    @AfterEach
    void close() {
        test.close();
    }

    @Test
    void secretDataLeavesOnlyWhenExportable() {
        ManagedObject locked = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET, Optional.empty(),
                Map.of("Name", "db-password"));
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class, () -> kms.objectValue(admin, locked.id())).code());
        ManagedObject open = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true), Map.of());
        assertEquals(SECRET, kms.objectValue(admin, open.id()));
        assertEquals(Map.of("Name", "db-password"), kms.getObject(admin, locked.id()).attributes());
    }

    private static java.security.KeyPair rsaPair(int bits) throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    private ManagedObject publicKeyObject(java.security.PublicKey key) {
        return publicKeyObject(ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO, Bytes.of(key.getEncoded()));
    }

    /** A public key object whose value is the front-end's own form (here: a fixed stand-in), its key {@code der}. */
    private ManagedObject publicKeyObject(ObjectPublicKey.Encoding encoding, Bytes der) {
        return kms.registerPublicKey(admin, SECRET, Optional.of(new ObjectPublicKey(encoding, der)), Optional.empty(),
                false, Map.of());
    }

    private static Bytes pssSignature(java.security.PrivateKey key) throws Exception {
        java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        pss.initSign(key);
        pss.update(SECRET.toArray());
        return Bytes.of(pss.sign());
    }

    @Test
    void aRegisteredPublicKeyEncryptsWithOaepAndVerifiesSignaturesAndEachCallIsAudited() throws Exception {
        java.security.KeyPair pair = rsaPair(2048);
        ManagedObject object = publicKeyObject(pair.getPublic());

        Bytes ciphertext = kms.encryptWithPublicKey(admin, object.id(), Scheme.RSA_OAEP_SHA384, SECRET);
        javax.crypto.Cipher oaep = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(javax.crypto.Cipher.DECRYPT_MODE, pair.getPrivate(), new javax.crypto.spec.OAEPParameterSpec(
                "SHA-384", "MGF1", java.security.spec.MGF1ParameterSpec.SHA384, javax.crypto.spec.PSource.PSpecified.DEFAULT));
        assertEquals(SECRET, Bytes.of(oaep.doFinal(ciphertext.toArray())));

        Bytes signature = pssSignature(pair.getPrivate());
        assertTrue(kms.verifyWithPublicKey(admin, object.id(), Scheme.RSA_PSS_SHA256, SECRET, false, signature));
        byte[] tampered = signature.toArray();
        tampered[0] ^= 1;
        assertEquals(false, kms.verifyWithPublicKey(admin, object.id(), Scheme.RSA_PSS_SHA256, SECRET, false,
                Bytes.of(tampered)));

        List<String> audited = kms.exportAudit(admin, test.clock().instant().minusSeconds(60),
                        test.clock().instant().plusSeconds(1)).stream().map(r -> r.event())
                .filter(e -> e.resource().equals("objects/" + object.id()) && !e.operation().startsWith("object."))
                .map(e -> e.operation() + " " + e.result()).toList();
        assertEquals(List.of("encrypt ok", "verify ok", "verify ok"), audited);
    }

    @Test
    void publicKeyCryptographyRefusesOtherObjectsSmallKeysAndMismatchedSchemes() throws Exception {
        java.security.KeyPair pair = rsaPair(2048);
        ManagedObject secret = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true), Map.of());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(admin, secret.id(), Scheme.RSA_OAEP_SHA256, SECRET)).code());
        ManagedObject small = publicKeyObject(rsaPair(1024).getPublic());
        KmsError refused = assertThrows(KmsError.class, () -> kms.encryptWithPublicKey(admin, small.id(),
                Scheme.RSA_OAEP_SHA256, SECRET));
        assertTrue(refused.getMessage().contains("2048, 3072 or 4096 bits, not 1024"), refused.getMessage());
        ManagedObject object = publicKeyObject(pair.getPublic());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(admin, object.id(), Scheme.RSA_PSS_SHA256, SECRET)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class,
                () -> kms.verifyWithPublicKey(admin, object.id(), Scheme.ECDSA_SHA256, SECRET, false, SECRET)).code());
        kms.deleteObject(admin, object.id());
        assertEquals(ErrorCode.FAILED_PRECONDITION, assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(admin, object.id(), Scheme.RSA_OAEP_SHA256, SECRET)).code());
        Caller auditor = TestCore.caller(admin.tenant(), Role.AUDITOR);
        ManagedObject live = publicKeyObject(pair.getPublic());
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(auditor, live.id(), Scheme.RSA_OAEP_SHA256, SECRET)).code());
    }

    @Test
    void aVerifyUsesTheStoredKeyOfTheObjectItNames() throws Exception {
        java.security.KeyPair a = rsaPair(2048);
        java.security.KeyPair b = rsaPair(2048);
        ManagedObject objectA = publicKeyObject(a.getPublic());
        Bytes pkcs1 = Bytes.of(org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(b.getPublic().getEncoded())
                .getPublicKeyData().getBytes());
        ManagedObject objectB = publicKeyObject(ObjectPublicKey.Encoding.PKCS1_RSA_PUBLIC_KEY, pkcs1);
        Bytes signedByB = pssSignature(b.getPrivate());

        assertEquals(false, kms.verifyWithPublicKey(admin, objectA.id(), Scheme.RSA_PSS_SHA256, SECRET, false, signedByB));
        assertTrue(kms.verifyWithPublicKey(admin, objectB.id(), Scheme.RSA_PSS_SHA256, SECRET, false, signedByB));
    }

    @Test
    void aStoredKeyThatDoesNotParseOrIsMissingIsAClearError() throws Exception {
        byte[] spki = rsaPair(2048).getPublic().getEncoded();
        ManagedObject truncated = publicKeyObject(ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO,
                Bytes.of(java.util.Arrays.copyOf(spki, spki.length - 1)));
        KmsError refused = assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(admin, truncated.id(), Scheme.RSA_OAEP_SHA256, SECRET));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertEquals("the public key must be an X.509 SubjectPublicKeyInfo (DER)", refused.getMessage());

        ManagedObject notPkcs1 = publicKeyObject(ObjectPublicKey.Encoding.PKCS1_RSA_PUBLIC_KEY, Bytes.of(spki));
        refused = assertThrows(KmsError.class,
                () -> kms.verifyWithPublicKey(admin, notPkcs1.id(), Scheme.RSA_PSS_SHA256, SECRET, false, SECRET));
        assertEquals("the public key is not a PKCS#1 RSAPublicKey (DER)", refused.getMessage());

        ManagedObject withoutKey = kms.registerObject(admin, ManagedObject.Type.PUBLIC_KEY, Bytes.of(spki),
                Optional.empty(), Map.of());
        refused = assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(admin, withoutKey.id(), Scheme.RSA_OAEP_SHA256, SECRET));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertTrue(refused.is(KmsError.Detail.KEY_FORMAT_NOT_USABLE), "a typed cause the front-end maps");
        assertTrue(refused.getMessage().contains("holds no public key Tresor reads"), refused.getMessage());
    }

    @Test
    void aPublicKeyStoredWithoutItsKeyAdoptsItFromItsValueOnceAndAudited() throws Exception {
        java.security.KeyPair pair = rsaPair(2048);
        java.security.KeyPair other = rsaPair(2048);
        Bytes value = Bytes.of(pair.getPublic().getEncoded());
        ManagedObject legacy = kms.registerObject(admin, ManagedObject.Type.PUBLIC_KEY, value, Optional.empty(), Map.of());
        List<Bytes> valuesRead = new java.util.ArrayList<>();

        kms.adoptPublicKey(admin, legacy.id(), stored -> {
            valuesRead.add(Bytes.of(stored.toArray()));
            return Optional.of(new ObjectPublicKey(ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO, stored));
        });
        assertEquals(List.of(value), valuesRead, "the key comes from the object's stored value");
        assertTrue(kms.verifyWithPublicKey(admin, legacy.id(), Scheme.RSA_PSS_SHA256, SECRET, false,
                pssSignature(pair.getPrivate())));

        kms.adoptPublicKey(admin, legacy.id(), stored -> {
            valuesRead.add(stored);
            return Optional.of(new ObjectPublicKey(ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO,
                    Bytes.of(other.getPublic().getEncoded())));
        });
        assertEquals(1, valuesRead.size(), "a kept key is not read again");
        assertEquals(false, kms.verifyWithPublicKey(admin, legacy.id(), Scheme.RSA_PSS_SHA256, SECRET, false,
                pssSignature(other.getPrivate())), "the key adopted first is never replaced");
        ManagedObject registered = publicKeyObject(pair.getPublic());
        kms.adoptPublicKey(admin, registered.id(), stored -> Optional.of(new ObjectPublicKey(
                ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO, Bytes.of(other.getPublic().getEncoded()))));
        assertTrue(kms.verifyWithPublicKey(admin, registered.id(), Scheme.RSA_PSS_SHA256, SECRET, false,
                pssSignature(pair.getPrivate())), "nor is the key given at register");

        List<String> audited = kms.exportAudit(admin, test.clock().instant().minusSeconds(60),
                        test.clock().instant().plusSeconds(1)).stream().map(r -> r.event())
                .filter(e -> e.operation().equals("object.adopt-public-key"))
                .map(e -> e.resource() + " " + e.result()).toList();
        assertEquals(List.of("objects/" + legacy.id() + " ok", "objects/" + legacy.id() + " ok",
                "objects/" + registered.id() + " ok"), audited);
    }

    @Test
    void adoptingAKeyTheValueDoesNotHoldOrForAnotherObjectIsRefusedAndStoresNothing() {
        ManagedObject transparent = kms.registerObject(admin, ManagedObject.Type.PUBLIC_KEY, SECRET, Optional.empty(),
                Map.of());
        KmsError refused = assertThrows(KmsError.class,
                () -> kms.adoptPublicKey(admin, transparent.id(), stored -> Optional.empty()));
        assertTrue(refused.is(KmsError.Detail.KEY_FORMAT_NOT_USABLE), refused.getMessage());
        KmsError stillRefused = assertThrows(KmsError.class,
                () -> kms.encryptWithPublicKey(admin, transparent.id(), Scheme.RSA_OAEP_SHA256, SECRET));
        assertTrue(stillRefused.is(KmsError.Detail.KEY_FORMAT_NOT_USABLE), "nothing was kept");

        ManagedObject secret = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true),
                Map.of());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class, () -> kms.adoptPublicKey(admin,
                secret.id(), stored -> Optional.of(new ObjectPublicKey(ObjectPublicKey.Encoding.PKCS1_RSA_PUBLIC_KEY,
                        stored)))).code());
        kms.deleteObject(admin, transparent.id());
        assertEquals(ErrorCode.FAILED_PRECONDITION, assertThrows(KmsError.class, () -> kms.adoptPublicKey(admin,
                transparent.id(), stored -> Optional.empty())).code());
        Caller auditor = TestCore.caller(admin.tenant(), Role.AUDITOR);
        ManagedObject other = kms.registerObject(admin, ManagedObject.Type.PUBLIC_KEY, SECRET, Optional.empty(),
                Map.of());
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class, () -> kms.adoptPublicKey(auditor,
                other.id(), stored -> Optional.empty())).code());
    }

    @Test
    void aSensitiveObjectsValueNeverLeavesWhateverItsTypeAndSurvivesARestart() {
        ManagedObject certificate = kms.registerObject(admin, ManagedObject.Type.CERTIFICATE, SECRET, Optional.of(true),
                true, Map.of());
        ManagedObject secret = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true),
                true, Map.of());
        for (ManagedObject object : List.of(certificate, secret)) {
            KmsError refused = assertThrows(KmsError.class, () -> kms.objectValue(admin, object.id()));
            assertEquals(ErrorCode.PERMISSION_DENIED, refused.code());
            assertEquals("object " + object.id() + " is sensitive: its value never leaves", refused.getMessage());
        }
        test.close();
        test = TestCore.open(dataDir);
        kms = test.core().keyManagement();
        assertTrue(kms.getObject(admin, certificate.id()).sensitive());
        assertEquals(ErrorCode.PERMISSION_DENIED,
                assertThrows(KmsError.class, () -> kms.objectValue(admin, certificate.id())).code());
        assertEquals(false, kms.getObject(admin, kms.registerObject(admin, ManagedObject.Type.CERTIFICATE, SECRET,
                Optional.empty(), Map.of()).id()).sensitive(), "not sensitive unless asked");
    }

    @Test
    void certificatesAreReadableWithoutBeingExportable() {
        ManagedObject certificate = kms.registerObject(admin, ManagedObject.Type.CERTIFICATE, SECRET, Optional.of(false),
                Map.of());
        assertEquals(SECRET, kms.objectValue(admin, certificate.id()));
    }

    @Test
    void deletedObjectsAreErasedAfterThirtyDays() {
        ManagedObject object = kms.registerObject(admin, ManagedObject.Type.OPAQUE_OBJECT, SECRET, Optional.of(true), Map.of());
        ManagedObject deleted = kms.deleteObject(admin, object.id());
        assertTrue(deleted.deleted());
        assertEquals(ErrorCode.FAILED_PRECONDITION, assertThrows(KmsError.class, () -> kms.objectValue(admin, object.id())).code());
        test.clock().advance(Duration.ofDays(30));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class, () -> kms.getObject(admin, object.id())).code());
        assertEquals(List.of(), kms.listObjects(admin));
        assertEquals(1, kms.purgeExpired());
    }

    @Test
    void anAcknowledgedDeleteIsNotUndoneByAConcurrentAttributeChange(@TempDir Path otherDir) throws Exception {
        try (Gated gated = Gated.open(otherDir)) {
            Caller owner = gated.owner();
            KeyManagement objects = gated.kms();
            ManagedObject object = objects.registerObject(owner, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true),
                    Map.of());
            race(gated.clock(), () -> objects.replaceObjectAttributes(owner, object.id(), Map.of(), Map.of("Name", "x")),
                    () -> objects.deleteObject(owner, object.id()));
            assertTrue(objects.getObject(owner, object.id()).deleted(), "the acknowledged delete was undone");
        }
    }

    @Test
    void anEditWaitingInsideAnotherEditsCheckAndWriteIsRefused(@TempDir Path otherDir) throws Exception {
        try (Gated gated = Gated.open(otherDir)) {
            Caller owner = gated.owner();
            KeyManagement objects = gated.kms();
            Map<String, String> read = Map.of("Name", "db-password");
            ManagedObject object = objects.registerObject(owner, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true),
                    read);
            Race edits = race(gated.clock(), () -> objects.replaceObjectAttributes(owner, object.id(), read,
                    with(read, "Owner", "team-a")), () -> objects.replaceObjectAttributes(owner, object.id(), read,
                    with(read, "Contact", "ops")));

            assertInstanceOf(ManagedObject.class, edits.gated(), "the edit that checked first is written");
            KmsError refused = assertInstanceOf(KmsError.class, edits.waiting(),
                    "an edit of what the first replaced was written");
            assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
            assertTrue(refused.is(KmsError.Detail.CHANGED_MEANWHILE), refused.getMessage());
            Map<String, String> now = objects.getObject(owner, object.id()).attributes();
            objects.replaceObjectAttributes(owner, object.id(), now, with(now, "Contact", "ops"));
            assertEquals(Map.of("Name", "db-password", "Contact", "ops", "Owner", "team-a"),
                    objects.getObject(owner, object.id()).attributes(), "the retried edit keeps the other one");
        }
    }

    @Test
    void anUndoAndAnEditThatPassedItsCheckBeforeItNeverBothSucceed(@TempDir Path otherDir) throws Exception {
        try (Gated gated = Gated.open(otherDir)) {
            Caller owner = gated.owner();
            KeyManagement objects = gated.kms();
            Map<String, String> before = Map.of("Name", "before");
            ManagedObject object = objects.registerObject(owner, ManagedObject.Type.OPAQUE_OBJECT, SECRET,
                    Optional.of(true), before);
            UndoScope scope = new UndoScope();
            Map<String, String> batchLeft = with(before, "Owner", "batch");
            objects.replaceObjectAttributes(owner.undoableIn(scope), object.id(), before, batchLeft);

            Race race = race(gated.clock(), () -> objects.replaceObjectAttributes(owner, object.id(), batchLeft,
                    with(batchLeft, "Contact", "ops")), undoing(objects, owner, scope));

            Map<String, String> now = objects.getObject(owner, object.id()).attributes();
            if (race.waiting() instanceof KmsError undoRefused) {
                assertEquals(ErrorCode.FAILED_PRECONDITION, undoRefused.code(), undoRefused.getMessage());
                assertInstanceOf(ManagedObject.class, race.gated(), "neither the undo nor the edit was done");
                assertEquals(with(batchLeft, "Contact", "ops"), now);
            } else {
                assertEquals(UNDONE, race.waiting());
                KmsError editRefused = assertInstanceOf(KmsError.class, race.gated(),
                        "the undo reported success and the edit of what it replaced was written too");
                assertEquals(ErrorCode.FAILED_PRECONDITION, editRefused.code());
                assertEquals(before, now, "the undo was overwritten");
            }
        }
    }

    @Test
    void anUndoOfARegistrationIsNotRevivedByAnEditThatPassedItsCheckBeforeIt(@TempDir Path otherDir) throws Exception {
        try (Gated gated = Gated.open(otherDir)) {
            Caller owner = gated.owner();
            KeyManagement objects = gated.kms();
            UndoScope scope = new UndoScope();
            ManagedObject registered = objects.registerObject(owner.undoableIn(scope), ManagedObject.Type.CERTIFICATE,
                    SECRET, Optional.empty(), Map.of());

            Race race = race(gated.clock(), () -> objects.replaceObjectAttributes(owner, registered.id(), Map.of(),
                    Map.of("Name", "found-by-locate")), undoing(objects, owner, scope));

            boolean deleted = objects.getObject(owner, registered.id()).deleted();
            assertTrue(!(UNDONE.equals(race.waiting()) && !deleted),
                    "the undo reported success and the object is live again: " + race.gated());
            assertTrue(race.waiting() instanceof KmsError || race.gated() instanceof KmsError,
                    "the undo and the edit both succeeded");
        }
    }

    /** The clock reading of an attribute edit that comes after its compare-and-set check: its audit event's time. */
    private static final int AFTER_THE_CHECK = 3;

    /** A core on its own store whose clock stops a chosen thread; an admin of a project in it. */
    private record Gated(GatedClock clock, KmsCore core, Caller owner) implements AutoCloseable {
        static Gated open(Path dataDir) {
            GatedClock clock = new GatedClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
            KmsCore core = KmsCore.open(new KmsCore.Options(Optional.of(dataDir), true, clock, Duration.ofDays(30),
                    Duration.ofHours(24), 1000, Optional.empty()));
            String project = core.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                    java.util.OptionalLong.empty(), KmipLegacy.NONE).id();
            return new Gated(clock, core, TestCore.caller(new dev.tresor.kms.tenant.TenantId(project, "eu01"), Role.ADMIN));
        }

        KeyManagement kms() {
            return core.keyManagement();
        }

        @Override
        public void close() {
            core.close();
        }
    }

    private static final String UNDONE = "undone";

    private static java.util.function.Supplier<String> undoing(KeyManagement kms, Caller caller, UndoScope scope) {
        return () -> {
            kms.undo(caller, scope, "items 1");
            return UNDONE;
        };
    }

    /** What two racing calls answered or threw. */
    private record Race(Object gated, Object waiting) {
    }

    /**
     * Runs {@code gated} until {@code clock} stops it after its check, then {@code waiting} until it
     * waits for a lock (or ends), then lets both finish.
     */
    private static Race race(GatedClock clock, java.util.function.Supplier<?> gated,
                             java.util.function.Supplier<?> waiting) throws InterruptedException {
        Outcome first = Outcome.start(gated, clock, AFTER_THE_CHECK);
        Outcome second = Outcome.start(waiting);
        second.awaitWaitingForALockOrDone();
        clock.release();
        first.await();
        second.await();
        return new Race(first.result(), second.result());
    }

    /** A call on its own thread; what it answered or threw. */
    private static final class Outcome {
        private static final Duration PATIENCE = Duration.ofSeconds(30);

        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicReference<Object> result =
                new java.util.concurrent.atomic.AtomicReference<>();

        private Outcome(java.util.function.Supplier<?> call) {
            thread = new Thread(() -> {
                try {
                    result.set(call.get());
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            thread.setDaemon(true);
        }

        static Outcome start(java.util.function.Supplier<?> call) {
            Outcome outcome = new Outcome(call);
            outcome.thread.start();
            return outcome;
        }

        /** Starts {@code call} and waits until {@code clock} stops it at its {@code nth} reading. */
        static Outcome start(java.util.function.Supplier<?> call, GatedClock clock, int nth) throws InterruptedException {
            Outcome outcome = new Outcome(call);
            clock.stop(outcome.thread, nth);
            outcome.thread.start();
            assertTrue(clock.awaitStopped(PATIENCE), "the call never reached clock reading " + nth);
            return outcome;
        }

        /** Until the call waits for a lock another thread holds, or is done. */
        void awaitWaitingForALockOrDone() {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (thread.isAlive() && !waitsForALock()) {
                assertTrue(System.nanoTime() < deadline, "the call neither waited for a lock nor ended");
                Thread.onSpinWait();
            }
        }

        /** Parked in a java.util.concurrent lock (JDK 25 builds ReentrantReadWriteLock on the long variant). */
        private boolean waitsForALock() {
            Object blocker = java.util.concurrent.locks.LockSupport.getBlocker(thread);
            return blocker instanceof java.util.concurrent.locks.AbstractQueuedSynchronizer
                    || blocker instanceof java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
        }

        void await() throws InterruptedException {
            thread.join(PATIENCE.toMillis());
            assertTrue(!thread.isAlive(), "the call did not end");
        }

        Object result() {
            return result.get();
        }
    }

    private static Map<String, String> with(Map<String, String> attributes, String name, String value) {
        Map<String, String> changed = new java.util.HashMap<>(attributes);
        changed.put(name, value);
        return changed;
    }

    @Test
    void oversizedValuesAreRefusedNamingTheLimit() {
        KmsError error = assertThrows(KmsError.class, () -> kms.registerObject(admin, ManagedObject.Type.OPAQUE_OBJECT,
                Bytes.wrap(new byte[65_537]), Optional.empty(), Map.of()));
        assertTrue(error.getMessage().contains("65536"), error.getMessage());
        assertEquals(List.of(), kms.listObjects(admin));
    }

    @Test
    void anotherProjectCannotSeeTheObject() {
        ManagedObject object = kms.registerObject(admin, ManagedObject.Type.OPAQUE_OBJECT, SECRET, Optional.of(true), Map.of());
        Caller stranger = TestCore.caller(test.newProject(), Role.ADMIN);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class, () -> kms.objectValue(stranger, object.id())).code());
    }
}
