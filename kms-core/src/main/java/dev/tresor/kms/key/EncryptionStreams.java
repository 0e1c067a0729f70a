package dev.tresor.kms.key;

import dev.tresor.kms.crypto.CipherStream;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.TenantId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The open encryptions fed in parts. They live only in memory (a restart or an expiry ends them;
 * the client starts again) and are bounded so that they cannot exhaust it: at most
 * {@value #PER_CALLER} open per caller (principal in a tenant) and {@value #IN_ALL} in all, each
 * dropped once idle for {@link #IDLE}. A stream is named by 128 random bits and bound to the
 * caller and key version that opened it; a part takes it out while it runs, so two parts of one
 * stream never run at once.
 */
final class EncryptionStreams {
    static final int PER_CALLER = 4;
    static final int IN_ALL = 256;
    static final Duration IDLE = Duration.ofMinutes(5);
    private static final int NAME_BYTES = 16;

    /** An open stream: whose it is, what it encrypts with, how much plaintext it took so far. */
    record Open(TenantId tenant, Principal principal, String keyId, long version, CipherStream cipher,
                Optional<Integer> tagBytes, long plaintextBytes, Instant lastUse) {
        Open after(long moreBytes, Instant now) {
            return new Open(tenant, principal, keyId, version, cipher, tagBytes, plaintextBytes + moreBytes, now);
        }

        private boolean ownedBy(TenantId caller, Principal callerPrincipal) {
            return tenant.equals(caller) && principal.equals(callerPrincipal);
        }
    }

    private final Map<String, Open> open = new HashMap<>();
    private final Clock clock;
    private final SecureRandom random;

    EncryptionStreams(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    Instant now() {
        return clock.instant();
    }

    /** Room for one more stream of this caller, checked before the first part does any work. */
    synchronized void requireRoom(TenantId tenant, Principal principal) {
        dropIdle();
        if (open.size() >= IN_ALL) {
            throw KmsError.precondition("the server has " + IN_ALL + " encryptions in parts open; finish one or retry later");
        }
        long mine = open.values().stream().filter(o -> o.ownedBy(tenant, principal)).count();
        if (mine >= PER_CALLER) {
            throw KmsError.precondition("at most " + PER_CALLER
                    + " encryptions in parts may be open per client; finish one first");
        }
    }

    /** Keeps {@code stream} open and answers its name. */
    synchronized Bytes put(Open stream) {
        requireRoom(stream.tenant(), stream.principal());
        byte[] name = new byte[NAME_BYTES];
        random.nextBytes(name);
        open.put(HexFormat.of().formatHex(name), stream);
        return Bytes.of(name);
    }

    /** Keeps an open stream under its name again after a part. */
    synchronized void putBack(Bytes name, Open stream) {
        open.put(HexFormat.of().formatHex(name.toArray()), stream);
    }

    /**
     * Takes the caller's stream {@code name} out for one part.
     *
     * @throws KmsError NOT_FOUND when no such stream is open for this caller (never opened,
     *         finished, expired, another caller's, or a part of it is running)
     */
    synchronized Open take(Bytes name, TenantId tenant, Principal principal) {
        dropIdle();
        String key = HexFormat.of().formatHex(name.toArray());
        Open stream = open.get(key);
        if (stream == null || !stream.ownedBy(tenant, principal)) {
            throw KmsError.notFound("open encryption in parts (correlation value)");
        }
        open.remove(key);
        return stream;
    }

    synchronized int size() {
        dropIdle();
        return open.size();
    }

    private void dropIdle() {
        Instant oldest = clock.instant().minus(IDLE);
        open.values().removeIf(stream -> stream.lastUse().isBefore(oldest));
    }
}
