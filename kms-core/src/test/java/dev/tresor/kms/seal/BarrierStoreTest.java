package dev.tresor.kms.seal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BarrierStoreTest {
    private final Store store = new MemoryStore();
    private final BarrierStore data = unsealed(store);

    private static BarrierStore unsealed(Store store) {
        SealManager seal = SealManager.open(store);
        seal.init(1, 1);
        return seal.barrierStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void valuesRoundTripAndNeverReachTheStoreInPlain() {
        data.write(data.batch().put("keyrings/r/keys/k", b("plain key material")));
        assertArrayEquals(b("plain key material"), data.get("keyrings/r/keys/k").orElseThrow());
        assertEquals(Optional.empty(), data.get("keyrings/r/keys/missing"));

        byte[] raw = store.get(b("data/keyrings/r/keys/k")).orElseThrow();
        assertArrayEquals(raw, data.rawValue("keyrings/r/keys/k"));
        assertFalse(new String(raw, UTF_8).contains("plain key material"));
    }

    @Test
    void valueCopiedToAnotherStorageKeyFailsToOpen() {
        data.write(data.batch().put("keyrings/r/keys/a", b("material of a")));
        store.write(new WriteBatch().put(BarrierStore.storageKey("keyrings/r/keys/b"), data.rawValue("keyrings/r/keys/a")));
        KmsError e = assertThrows(KmsError.class, () -> data.get("keyrings/r/keys/b"));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored value failed its integrity check", e.getMessage());
    }

    /** Review dates4 m2: the check runs as the batch is sealed; one that throws leaves it unwritten. */
    @Test
    void aGuardedBatchIsWrittenOnlyIfItsCheckHolds() {
        KmsError refused = assertThrows(KmsError.class, () -> data.write(data.batch().put("t/a", b("1"))
                .guardedBy(() -> {
                    throw BarrierStore.sealedError();
                })));
        assertEquals(ErrorCode.SEALED, refused.code());
        assertEquals(Optional.empty(), data.get("t/a"));

        data.write(data.batch().put("t/a", b("1")).guardedBy(() -> { }));
        assertArrayEquals(b("1"), data.get("t/a").orElseThrow());
    }

    /**
     * Review dates5 n2: a batch its check refused has its plaintext copies wiped, so it cannot be
     * submitted again (it would seal zeros); the old code kept them and wrote it once the check held.
     */
    @Test
    void aBatchItsCheckRefusedCannotBeSubmittedAgain() {
        boolean[] holds = {false};
        BarrierStore.Batch batch = data.batch().put("t/a", b("secret")).guardedBy(() -> {
            if (!holds[0]) {
                throw BarrierStore.sealedError();
            }
        });
        assertThrows(KmsError.class, () -> data.submit(batch));
        holds[0] = true;

        assertThrows(IllegalStateException.class, () -> data.submit(batch));
        assertEquals(Optional.empty(), data.get("t/a"));
    }

    /** Review dates5 n2: a second check adds to the first, it does not replace it. */
    @Test
    void aBatchIsWrittenOnlyIfEveryCheckHolds() {
        List<String> checked = new ArrayList<>();
        KmsError refused = assertThrows(KmsError.class, () -> data.write(data.batch().put("t/a", b("1"))
                .guardedBy(() -> {
                    checked.add("first");
                    throw BarrierStore.sealedError();
                })
                .guardedBy(() -> checked.add("second"))));

        assertEquals(ErrorCode.SEALED, refused.code());
        assertEquals(List.of("first"), checked);
        assertEquals(Optional.empty(), data.get("t/a"));
    }

    @Test
    void scanAndLastOpenEveryValueUnderThePrefixInKeyOrder() {
        data.write(data.batch().put("t/b", b("2")).put("t/a", b("1")).put("u/a", b("x")).put("t", b("0")));
        List<Map.Entry<String, byte[]>> found = data.scan("t/");
        assertEquals(List.of("t/a", "t/b"), found.stream().map(Map.Entry::getKey).toList());
        assertArrayEquals(b("2"), found.get(1).getValue());
        assertEquals("t/b", data.last("t/").orElseThrow().getKey());
        assertEquals(Optional.empty(), data.last("v/"));
    }

    @Test
    void batchAppliesPutsAndDeletesTogetherAndWipesItsPlaintext() {
        data.write(data.batch().put("gone", b("soon")));
        byte[] secret = b("secret");
        BarrierStore.Batch batch = data.batch().put("kept", secret).delete("gone");
        Arrays.fill(secret, (byte) 0);
        data.submit(batch).join();

        assertArrayEquals(b("secret"), data.get("kept").orElseThrow());
        assertEquals(Optional.empty(), data.get("gone"));
        assertThrows(IllegalStateException.class, () -> data.submit(batch));
    }

    @Test
    void sealRecordsAreOutOfReachOfBarrierKeys() {
        data.write(data.batch().put("sys/seal/keyring", b("not the keyring")));
        assertEquals(1, store.scan(b("sys/seal/keyring")).size());
        assertEquals(1, store.scan(b("data/sys/seal/keyring")).size());
        assertThrows(IllegalArgumentException.class, () -> data.batch().put("", b("x")));
    }
}
