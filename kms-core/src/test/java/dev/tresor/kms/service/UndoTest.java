package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.key.ManagedObject;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Undo of a group of calls (KMIP Batch Error Continuation Option Undo) on a real core, over RocksDB
 * in a temporary directory and over the in-memory store: the group's changes go back in one write,
 * exactly, unless another call changed one of its records since; the audit chain keeps every call.
 */
class UndoTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");
    private static final Bytes SECRET = Bytes.of(new byte[] {1, 2, 3, 4, 5});

    @TempDir
    static Path dataRoot;

    private KmsCore opened;
    private KeyManagement kms;
    private Caller admin;
    private Caller auditor;
    private KeyRing ring;
    /** A key made before any undoable group. */
    private Key kept;

    static Stream<String> stores() {
        return Stream.of("rocksdb", "memory");
    }

    /** A core on {@code store} ("rocksdb" or "memory"), a project in it, a ring and the key {@link #kept}. */
    private void open(String store) {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        if (store.equals("rocksdb")) {
            opened = KmsCore.open(new KmsCore.Options(Optional.of(dataRoot.resolve("core-" + System.nanoTime())), true,
                    clock, Duration.ofDays(30), Duration.ofHours(24), 1000, Optional.empty()));
        } else {
            opened = KmsCore.open(new KmsCore.Options(Optional.empty(), false, clock, Duration.ofDays(30),
                    Duration.ofHours(24), 1000, Optional.empty()));
            Administration admin = opened.administration();
            admin.unseal(admin.initialize(1, 1).shares().get(0));
        }
        Project project = opened.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                OptionalLong.empty(), KmipLegacy.NONE);
        TenantId tenant = new TenantId(project.id(), "eu01");
        kms = opened.keyManagement();
        admin = TestCore.caller(tenant, Role.ADMIN);
        auditor = TestCore.caller(tenant, Role.AUDITOR);
        ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty()));
        kept = aesKey(admin, "kept");
    }

    @AfterEach
    void close() {
        if (opened != null) {
            opened.close();
        }
    }

    private Key aesKey(Caller caller, String name) {
        return kms.createKey(caller, CreateKey.rest(ring.id(), name, Optional.empty(), Algorithm.AES_256_GCM,
                "software", Key.AccessScope.PUBLIC, false));
    }

    private static KeyRef ref(Key key) {
        return KeyRef.of(key.keyRingId(), key.id());
    }

    private static ErrorCode codeOf(Runnable call) {
        return assertThrows(KmsError.class, call::run).code();
    }

    /** Sets the key's attributes to {@code attributes}, over what the caller reads (as a KMIP edit does). */
    private Key rename(Caller caller, KeyRef ref, Map<String, String> attributes) {
        return kms.replaceAttributes(caller, ref, kms.getKey(caller, ref).attributes(), attributes);
    }

    /** Runs {@code calls} as one undoable group, as a KMIP batch does (each call of its own). */
    private static <T> T inScope(Caller caller, UndoScope scope, Function<Caller, T> calls) {
        return calls.apply(caller.undoableIn(scope));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void changedRecordsGoBackExactlyAndACreatedKeyIsLeftDeletedAndRestorable(String store) {
        open(store);
        rename(admin, ref(kept), Map.of("Name", "before"));
        ManagedObject secret = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET,
                Optional.of(true), Map.of("Name", "s"));
        Bytes ciphertext = kms.encrypt(admin, EncryptRequest.envelope(ref(kept).primary(), SECRET)).data();
        Key keptBefore = kms.getKey(admin, ref(kept));

        UndoScope scope = new UndoScope();
        Bytes underCreated = inScope(admin, scope, caller -> {
            Key made = aesKey(caller, "made-in-the-batch");
            rename(caller, ref(kept), Map.of("Name", "changed"));
            kms.disableVersion(caller, ref(kept).version(1));
            kms.deleteObject(caller, secret.id());
            kms.registerObject(caller, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true),
                    Map.of("Name", "registered-in-the-batch"));
            return kms.encrypt(caller, EncryptRequest.envelope(ref(made).primary(), SECRET)).data();
        });
        ManagedObject registered = kms.listObjects(admin).stream()
                .filter(o -> o.attributes().equals(Map.of("Name", "registered-in-the-batch"))).findFirst()
                .orElseThrow();
        Key created = kms.listKeys(admin, ring.id()).stream()
                .filter(k -> k.displayName().equals("made-in-the-batch")).findFirst().orElseThrow();
        assertEquals(VersionState.DISABLED, kms.getVersion(admin, ref(kept).version(1)).state());

        kms.undo(admin, scope, "items 1..5");

        assertEquals(keptBefore, kms.getKey(admin, ref(kept)));
        assertEquals(SECRET, kms.decrypt(admin, DecryptRequest.envelope(ref(kept).version(1), ciphertext)),
                "the re-enabled version serves again");
        assertEquals(SECRET, kms.objectValue(admin, secret.id()), "the deleted object is back, value and all");
        assertEquals(Map.of("Name", "s"), kms.getObject(admin, secret.id()).attributes());
        Key deleted = kms.getKey(admin, ref(created));
        assertEquals(KeyState.DELETED, deleted.state(), "the created key is deleted, not erased");
        assertEquals(Optional.of(Instant.parse("2026-01-31T00:00:00Z")), deleted.deletionDate());
        assertEquals(ErrorCode.FAILED_PRECONDITION, codeOf(() -> kms.decrypt(admin,
                DecryptRequest.envelope(ref(created).primary(), underCreated))));
        assertEquals(Optional.of(Instant.parse("2026-01-31T00:00:00Z")),
                kms.getObject(admin, registered.id()).deletionDate(), "the registered object is deleted, not erased");
        kms.restoreKey(admin, ref(created));
        assertEquals(SECRET, kms.decrypt(admin, DecryptRequest.envelope(ref(created).primary(), underCreated)),
                "what was encrypted under the created key meanwhile can still be decrypted once it is restored");
        assertTrue(opened.verifyStoreIntegrity() > 0, "every restored value opens under its own key");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void usageCountedInTheGroupIsNotGivenBack(String store) {
        open(store);
        Key limited = kms.createKey(admin, new CreateKey(ring.id(), "limited", Optional.empty(), KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT), Optional.empty(), "software", Key.AccessScope.PUBLIC, false,
                Optional.of(false), Map.of(), Optional.of(UsageLimit.of(UsageLimit.Unit.OBJECT, 2))));
        UndoScope scope = new UndoScope();
        inScope(admin, scope, caller -> {
            rename(caller, ref(kept), Map.of("Name", "batch"));
            return kms.encrypt(caller, EncryptRequest.envelope(KeyRef.byId(limited.id()).primary(), SECRET));
        });

        kms.undo(admin, scope, "items 1..2");

        assertEquals(Map.of(), kms.getKey(admin, ref(kept)).attributes(), "the attribute change is undone");
        assertEquals(1, kms.getKey(admin, KeyRef.byId(limited.id())).usageLimit().orElseThrow().remaining());
        kms.encrypt(admin, EncryptRequest.envelope(KeyRef.byId(limited.id()).primary(), SECRET));
        assertEquals(ErrorCode.PERMISSION_DENIED, codeOf(
                () -> kms.encrypt(admin, EncryptRequest.envelope(KeyRef.byId(limited.id()).primary(), SECRET))));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aNewVersionOfAKeyThatExistedBeforeIsNotUndone(String store) {
        open(store);
        UndoScope scope = new UndoScope();
        inScope(admin, scope, caller -> kms.rotateKey(caller, ref(kept)));

        KmsError refused = assertThrows(KmsError.class, () -> kms.undo(admin, scope, "items 1"));

        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("new version"), refused.getMessage());
        assertEquals(2, kms.getVersion(admin, ref(kept).primary()).number(), "version 2 stands");
        assertFalse(refused.getMessage().contains("t/"), "no storage path: " + refused.getMessage());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aChangeByAnotherCallMakesTheUndoFailWithoutTouchingAnything(String store) {
        open(store);
        UndoScope scope = new UndoScope();
        Key created = inScope(admin, scope, caller -> {
            rename(caller, ref(kept), Map.of("Name", "batch"));
            return aesKey(caller, "made-in-the-batch");
        });
        Caller other = TestCore.caller(admin.tenant(), Role.KEY_ADMIN);
        rename(other, ref(kept), Map.of("Name", "other client"));

        KmsError refused = assertThrows(KmsError.class, () -> kms.undo(admin, scope, "items 1..2"));

        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("changed by another call"), refused.getMessage());
        assertEquals(Map.of("Name", "other client"), kms.getKey(admin, ref(kept)).attributes());
        assertEquals("made-in-the-batch", kms.getKey(admin, ref(created)).displayName(),
                "nothing of the group was undone");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void cachesDoNotServeUndoneKeysOrStates(String store) {
        open(store);
        kms.encrypt(admin, EncryptRequest.envelope(ref(kept).primary(), SECRET));
        UndoScope scope = new UndoScope();
        Bytes underCreated = inScope(admin, scope, caller -> {
            Key made = aesKey(caller, "made-in-the-batch");
            Bytes out = kms.encrypt(caller, EncryptRequest.envelope(ref(made).primary(), SECRET)).data();
            assertEquals(SECRET, kms.decrypt(caller, DecryptRequest.envelope(ref(made).primary(), out)));
            kms.deleteKey(caller, ref(kept));
            return out;
        });
        Key made = kms.listKeys(admin, ring.id()).stream().filter(k -> k.displayName().equals("made-in-the-batch"))
                .findFirst().orElseThrow();
        assertEquals(ErrorCode.FAILED_PRECONDITION,
                codeOf(() -> kms.encrypt(admin, EncryptRequest.envelope(ref(kept).primary(), SECRET))));

        kms.undo(admin, scope, "items 1..4");

        assertEquals(ErrorCode.FAILED_PRECONDITION,
                codeOf(() -> kms.decrypt(admin, DecryptRequest.envelope(ref(made).primary(), underCreated))),
                "the undone key's material is not served from memory");
        assertEquals(ErrorCode.FAILED_PRECONDITION,
                codeOf(() -> kms.encrypt(admin, EncryptRequest.envelope(ref(made).primary(), SECRET))));
        Bytes again = kms.encrypt(admin, EncryptRequest.envelope(ref(kept).primary(), SECRET)).data();
        assertEquals(SECRET, kms.decrypt(admin, DecryptRequest.envelope(ref(kept).primary(), again)),
                "the key is no longer seen as deleted");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void anObjectAttributeEditThatReadBeforeTheUndoIsRefusedAndTheUndoStands(String store) {
        open(store);
        ManagedObject secret = kms.registerObject(admin, ManagedObject.Type.SECRET_DATA, SECRET, Optional.of(true),
                Map.of("Name", "s"));
        UndoScope scope = new UndoScope();
        inScope(admin, scope, caller -> kms.replaceObjectAttributes(caller, secret.id(), Map.of("Name", "s"),
                Map.of("Name", "batch")));
        Map<String, String> readBeforeTheUndo = kms.getObject(admin, secret.id()).attributes();
        kms.undo(admin, scope, "items 1");

        KmsError refused = assertThrows(KmsError.class, () -> kms.replaceObjectAttributes(admin, secret.id(),
                readBeforeTheUndo, Map.of("Name", "batch", "Owner", "x")));
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("changed by another call meanwhile"), refused.getMessage());
        assertEquals(Map.of("Name", "s"), kms.getObject(admin, secret.id()).attributes(), "the undo was overwritten");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void theAuditChainKeepsEveryCallAndTheUndo(String store) {
        open(store);
        UndoScope scope = new UndoScope();
        Key created = inScope(admin, scope, caller -> aesKey(caller, "made-in-the-batch"));
        kms.replaceAttributes(TestCore.caller(admin.tenant(), Role.KEY_ADMIN), ref(created), created.attributes(),
                Map.of("Name", "x"));
        assertThrows(KmsError.class, () -> kms.undo(admin, scope, "kmip batch items 1:kmip.create"));
        UndoScope second = new UndoScope();
        inScope(admin, second, caller -> kms.replaceAttributes(caller, ref(created), Map.of("Name", "x"),
                Map.of("Name", "y")));
        kms.undo(admin, second, "kmip batch items 1:kmip.add-attribute");

        List<AuditRecord> records = kms.exportAudit(auditor, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        List<String> trail = records.stream().map(r -> r.operation() + " " + r.resource() + " " + r.result())
                .toList();
        String keys = "keyrings/" + ring.id() + "/keys";
        assertEquals(List.of(
                "keyring.create keyrings ok",
                "key.create " + keys + " ok",
                "key.create " + keys + " ok",
                "key.set-attributes " + keys + "/" + created.id() + " ok",
                "undo kmip batch items 1:kmip.create FAILED_PRECONDITION",
                "key.set-attributes " + keys + "/" + created.id() + " ok",
                "undo kmip batch items 1:kmip.add-attribute ok"), trail);
        assertEquals(Map.of("Name", "x"), kms.getKey(admin, ref(created)).attributes());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aSpentScopeTakesNoMoreChangesAnEmptyOneChangesNothingAndAnUndoNeedsTheFrontEndCallsOwnCaller(String store) {
        open(store);
        UndoScope scope = new UndoScope();
        inScope(admin, scope, caller -> rename(caller, ref(kept), Map.of("Name", "undone")));
        assertFalse(scope.isEmpty());
        kms.undo(admin, scope, "items 1");
        assertEquals(ErrorCode.FAILED_PRECONDITION, codeOf(() -> inScope(admin, scope,
                caller -> rename(caller, ref(kept), Map.of("Name", "late")))),
                "a spent scope takes no more changes");
        assertEquals(ErrorCode.FAILED_PRECONDITION, codeOf(() -> kms.undo(admin, scope, "items 1")),
                "nor a second undo");
        Key before = kms.getKey(admin, ref(kept));
        UndoScope empty = new UndoScope();
        assertTrue(empty.isEmpty());
        kms.undo(admin, empty, "items 1");
        assertEquals(before, kms.getKey(admin, ref(kept)));
        assertEquals(List.of(kept), kms.listKeys(admin, ring.id()));
        assertThrows(IllegalArgumentException.class,
                () -> kms.undo(admin.undoableIn(scope), new UndoScope(), "items"));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aKeyRingCreatedInTheGroupIsNotUndone(String store) {
        open(store);
        UndoScope scope = new UndoScope();
        KeyRing made = inScope(admin, scope,
                caller -> kms.createKeyRing(caller, new CreateKeyRing("made", Optional.empty())));

        assertEquals(ErrorCode.FAILED_PRECONDITION, codeOf(() -> kms.undo(admin, scope, "items 1")));
        assertEquals(made, kms.getKeyRing(admin, made.id()));
    }
}
