package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyMaterialTest {
    private static final MaterialAccess ACCESS = MaterialAccess.obtain();

    @Test
    void toStringShowsOnlyTheSize() {
        byte[] secret = HexFormat.of().parseHex("0123456789abcdef0123456789abcdef");
        KeyMaterial material = KeyMaterial.copyOf(secret);
        assertEquals("KeyMaterial[16 bytes]", material.toString());
        assertEquals(16, material.length());
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] secret = {1, 2, 3, 4};
        KeyMaterial material = KeyMaterial.copyOf(secret);
        secret[0] = 9;
        byte[] out = material.copyBytes(ACCESS);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, out);
        out[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, material.copyBytes(ACCESS));
        assertThrows(NullPointerException.class, () -> material.copyBytes(null));
    }

    @Test
    void destroyZeroesTheBytesAndLocksThemAway() {
        byte[] owned = {5, 6, 7};
        KeyMaterial material = KeyMaterial.adopt(owned);
        assertFalse(material.isDestroyed());
        material.destroy();
        assertArrayEquals(new byte[3], owned);
        assertTrue(material.isDestroyed());
        assertThrows(IllegalStateException.class, () -> material.copyBytes(ACCESS));
    }

    @Test
    void equalBytesDoNotMakeEqualMaterial() {
        assertNotEquals(KeyMaterial.copyOf(new byte[] {1}), KeyMaterial.copyOf(new byte[] {1}));
    }

    @Test
    void emptyMaterialIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KeyMaterial.copyOf(new byte[0]));
    }
}
