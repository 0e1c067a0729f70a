package dev.tresor.kms.key;

import dev.tresor.kms.service.KmsError;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * When a key version may be used, whatever the front-end (KMIP Protect Stop Date and Process
 * Start Date, spec 1.4 sections 3.26 and 3.27): it protects (encrypts, wraps, signs, computes a
 * MAC) until {@code protectStop} and processes (decrypts, unwraps, verifies) from
 * {@code processStart}; an empty date does not limit.
 */
public record UsePeriod(Optional<Instant> protectStop, Optional<Instant> processStart) {
    /** No limit either way. */
    public static final UsePeriod ALWAYS = new UsePeriod(Optional.empty(), Optional.empty());

    /** What a cryptographic call does with a key version, which its period limits. */
    public enum Use {
        /** Encrypt, wrap, sign, compute a MAC: not after the protect stop date. */
        PROTECT,
        /** Decrypt, unwrap, verify a signature or MAC: not before the process start date. */
        PROCESS
    }

    public UsePeriod {
        Objects.requireNonNull(protectStop);
        Objects.requireNonNull(processStart);
    }

    /** FAILED_PRECONDITION, naming {@code what} and the date, unless {@code use} is allowed at {@code now}. */
    public void require(Use use, Instant now, Supplier<String> what) {
        switch (use) {
            case PROTECT -> protectStop.filter(now::isAfter).ifPresent(date -> {
                throw KmsError.precondition(what.get() + " is past its Protect Stop Date (" + date + ")");
            });
            case PROCESS -> processStart.filter(now::isBefore).ifPresent(date -> {
                throw KmsError.precondition(what.get() + " is before its Process Start Date (" + date + ")");
            });
        }
    }
}
