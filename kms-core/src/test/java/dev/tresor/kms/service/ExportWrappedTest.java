package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key exported wrapped under another key of the instance: the JDK's AES key unwrap gives back
 * what the encoding made of the material, the plaintext buffers are zeroed afterwards, and a
 * refused wrapping key or a key that may not leave never has its material read.
 */
class ExportWrappedTest {
    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    /** What the encoding was handed, for checking that nothing is read or that it was zeroed. */
    private final List<Bytes> seen = new ArrayList<>();

    private VersionRef key(String name, KeyType type, boolean exportable, KeyUsage... usages) {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), name, type, Set.of(usages),
                Optional.of(exportable), Map.of()));
        return KeyRef.byId(key.id()).version(1);
    }

    private UnaryOperator<Bytes> recordingCopy() {
        return material -> {
            seen.add(material);
            return Bytes.wrap(material.toArray());
        };
    }

    @Test
    void theWrappedMaterialUnwrapsAndThePlaintextIsZeroedAfterwards() throws Exception {
        VersionRef wrapper = key("wrapper", KeyType.AES_256, true, KeyUsage.WRAP);
        VersionRef target = key("target", KeyType.AES_256, true, KeyUsage.ENCRYPT, KeyUsage.DECRYPT);

        Encrypted wrapped = core.kms().exportWrapped(core.admin(), target, wrapper, Scheme.AES_KEY_WRAP_PAD,
                recordingCopy());

        Cipher unwrap = Cipher.getInstance("AES/KWP/NoPadding");
        unwrap.init(Cipher.DECRYPT_MODE, new SecretKeySpec(core.kms().exportMaterial(core.admin(), wrapper).toArray(),
                "AES"));
        assertArrayEquals(core.kms().exportMaterial(core.admin(), target).toArray(),
                unwrap.doFinal(wrapped.data().toArray()));
        assertEquals(1, seen.size());
        assertArrayEquals(new byte[32], seen.get(0).toArray(), "the exported material is zeroed once wrapped");
    }

    @Test
    void aRefusedWrappingKeyOrATargetThatMayNotLeaveHasNothingRead() {
        VersionRef decryptOnly = key("decrypt-only", KeyType.AES_256, true, KeyUsage.DECRYPT);
        VersionRef wrapper = key("wrapper", KeyType.AES_256, true, KeyUsage.WRAP);
        VersionRef target = key("target", KeyType.AES_256, true, KeyUsage.ENCRYPT);
        VersionRef kept = key("kept", KeyType.AES_256, false, KeyUsage.ENCRYPT);

        KmsError usage = assertThrows(KmsError.class, () -> core.kms().exportWrapped(core.admin(), target,
                decryptOnly, Scheme.AES_KEY_WRAP, recordingCopy()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, usage.code());
        KmsError scheme = assertThrows(KmsError.class, () -> core.kms().exportWrapped(core.admin(), target,
                wrapper, Scheme.AES_GCM, recordingCopy()));
        assertTrue(scheme.getMessage().contains("AES_KEY_WRAP"), scheme.getMessage());
        KmsError notExportable = assertThrows(KmsError.class, () -> core.kms().exportWrapped(core.admin(), kept,
                wrapper, Scheme.AES_KEY_WRAP, recordingCopy()));
        assertEquals(ErrorCode.PERMISSION_DENIED, notExportable.code());
        assertEquals(List.of(), seen, "no material was read");
    }
}
