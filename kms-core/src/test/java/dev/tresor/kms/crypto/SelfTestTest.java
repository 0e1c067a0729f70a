package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfTestTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyStandardKnownAnswerPasses() {
        List<SelfTest.KnownAnswer> answers = SelfTest.standard();
        assertTrue(answers.size() >= 15);
        for (SelfTest.KnownAnswer answer : answers) {
            assertTrue(answer.passes(CRYPTO), answer.name());
        }
    }

    @Test
    void aWrongAnswerFailsTheRunAndIsNamed() {
        List<SelfTest.KnownAnswer> answers = new ArrayList<>(SelfTest.standard());
        answers.add(new SelfTest.CipherAnswer("AES-256 ECB, one bit off", KeyType.AES_256, Scheme.AES_ECB_NO_PADDING,
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", null, null,
                "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496088", null));
        answers.add(new SelfTest.DigestAnswer("SHA-256 of another message", "SHA-256", "616264",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        KmsError e = assertThrows(KmsError.class, () -> SelfTest.run(CRYPTO, answers));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("crypto self-test failed: AES-256 ECB, one bit off, SHA-256 of another message", e.getMessage());
    }

    @Test
    void anAnswerThatThrowsCountsAsFailed() {
        SelfTest.KnownAnswer broken = new SelfTest.MacAnswer("HMAC with a 4-byte key", KeyType.HMAC_SHA256,
                Scheme.HMAC_SHA256, "4a656665", "00", "00");
        KmsError e = assertThrows(KmsError.class, () -> SelfTest.run(CRYPTO, List.of(broken)));
        assertTrue(e.getMessage().endsWith("HMAC with a 4-byte key"));
    }

    @Test
    void theConstructorRunsTheSelfTest() {
        assertDoesNotThrow(Crypto::new);
    }
}
