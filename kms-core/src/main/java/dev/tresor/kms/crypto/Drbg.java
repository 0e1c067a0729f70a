package dev.tresor.kms.crypto;

import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the generator behind every server-made key is: a NIST SP 800-90A DRBG, its mechanism, the
 * hash or block cipher it is built on (JCA name: "SHA-256", "AES-256"), its security strength
 * and whether each output is made with prediction resistance. Read from the running JDK's
 * instance, so it names what is really used (the JDK's {@code securerandom.drbg.config} may
 * change the mechanism).
 */
public record Drbg(Mechanism mechanism, String function, int strengthBits, boolean predictionResistance) {
    /** The three mechanisms of SP 800-90A. */
    public enum Mechanism { HASH_DRBG, HMAC_DRBG, CTR_DRBG }

    /** The JDK's description of a DRBG instance: "Hash_DRBG,SHA-256,256,reseed_only". */
    private static final Pattern JDK = Pattern.compile("(Hash_DRBG|HMAC_DRBG|CTR_DRBG),([A-Za-z0-9-]+),(\\d+),"
            + "(none|reseed_only|pr_and_reseed)(,.*)?");

    static Drbg of(SecureRandom random) {
        Matcher matcher = JDK.matcher(random.toString());
        if (!random.getAlgorithm().equals("DRBG") || !matcher.matches()) {
            throw new IllegalStateException("not an SP 800-90A DRBG: " + random.getAlgorithm());
        }
        return new Drbg(Mechanism.valueOf(matcher.group(1).toUpperCase(java.util.Locale.ROOT)), matcher.group(2),
                Integer.parseInt(matcher.group(3)), matcher.group(4).equals("pr_and_reseed"));
    }
}
