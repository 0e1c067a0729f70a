package dev.tresor.kms.attest.kbs;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** How a resource request names its attested session: the cookie, or a token Tresor's KBS issued. */
public sealed interface KbsCredential {
    /** The session this credential names, if it names one of {@code tokens}' live sessions' ids. */
    Optional<String> sessionId(KbsTokens tokens, Instant now);

    /** What the audit log may call the guest before its credential is checked: never the credential itself. */
    String auditName();

    record Session(String id) implements KbsCredential {
        public Session {
            Objects.requireNonNull(id);
        }

        @Override
        public Optional<String> sessionId(KbsTokens tokens, Instant now) {
            return Optional.of(id);
        }

        /** The first 8 of the 32 hex characters: enough to follow a session, too few to use it. */
        @Override
        public String auditName() {
            return id.length() > 8 ? id.substring(0, 8) : "cookie";
        }

        @Override
        public String toString() {
            return "Session[…]";
        }
    }

    record Token(String jwt) implements KbsCredential {
        public Token {
            Objects.requireNonNull(jwt);
        }

        @Override
        public Optional<String> sessionId(KbsTokens tokens, Instant now) {
            return tokens.sessionOf(jwt, now);
        }

        @Override
        public String auditName() {
            return "token";
        }

        @Override
        public String toString() {
            return "Token[…]";
        }
    }
}
