package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class DrbgTest {
    @Test
    void theKeyGeneratorIsTheJdksHashDrbgOverSha256AtFullStrength() {
        assertEquals(new Drbg(Drbg.Mechanism.HASH_DRBG, "SHA-256", 256, false), new Crypto().drbg());
    }

    @Test
    void predictionResistanceIsReadFromTheInstance() throws Exception {
        SecureRandom random = SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(192,
                DrbgParameters.Capability.PR_AND_RESEED, "test".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(new Drbg(Drbg.Mechanism.HASH_DRBG, "SHA-256", 192, true), Drbg.of(random));
    }

    @Test
    void aGeneratorThatIsNoDrbgIsNotDescribedAsOne() throws Exception {
        SecureRandom legacy = SecureRandom.getInstance("SHA1PRNG");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Drbg.of(legacy));
        assertEquals("not an SP 800-90A DRBG: SHA1PRNG", e.getMessage());
    }
}
