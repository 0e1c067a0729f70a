package dev.tresor.kms.attest;

import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A configured token issuer: its pinned keys (keys named in a token header are never used),
 * the JWS algorithms it may use, and where its tokens carry the binding.
 *
 * @param id           the name policies use as {@code authority}
 * @param issuer       the {@code iss} value its tokens must carry, if it sets one
 * @param keys         pinned verification keys
 * @param algorithms   allow-list among ES256, ES384, PS256, RS256, RS384
 * @param bindingClaim JSON Pointer of the claim holding the report data (hex or base64url),
 *                     e.g. {@code /eat_nonce}
 * @param ear          whether tokens are EAR (EAT Attestation Results) and must have its claims
 */
public record TokenIssuer(String id, Optional<String> issuer, List<PublicKey> keys, Set<String> algorithms,
                          Optional<String> bindingClaim, boolean ear) {
    public static final Set<String> SUPPORTED_ALGORITHMS = Set.of("ES256", "ES384", "PS256", "RS256", "RS384");

    public TokenIssuer {
        Objects.requireNonNull(id);
        Objects.requireNonNull(issuer);
        keys = List.copyOf(keys);
        algorithms = Set.copyOf(algorithms);
        Objects.requireNonNull(bindingClaim);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("token issuer " + id + " has no pinned key");
        }
        for (String algorithm : algorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("token algorithm " + algorithm + " is not supported");
            }
        }
    }
}
