package dev.tresor.kms.service;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.attest.VerificationInputs;
import dev.tresor.kms.attest.kbs.KbsAttestation;
import dev.tresor.kms.attest.kbs.KbsChallenge;
import dev.tresor.kms.attest.kbs.KbsCredential;
import dev.tresor.kms.attest.kbs.KbsRequest;
import dev.tresor.kms.attest.kbs.KbsSessions;
import dev.tresor.kms.attest.kbs.KbsTokens;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The Confidential Containers KBS protocol on top of the attestation gate: a Request opens a
 * session (a challenge of audience {@code kbs}), the Attestation is verified with the KBS binding
 * {@code H(JCS(runtime-data))} and marks the session attested, and each resource request is
 * decided by the key's release policy over that verdict. Guests are workload principals with the
 * crypto-user role in the instance the path names; nothing else lets them in.
 */
final class KbsProtocol {
    private final AttestationGate gate;
    private final KbsSessions sessions;
    private final KbsTokens tokens;
    private final Clock clock;

    KbsProtocol(AttestationGate gate, Clock clock, SecureRandom random) {
        this.gate = gate;
        this.sessions = gate.kbsSessions();
        this.tokens = new KbsTokens(random);
        this.clock = clock;
    }

    /** The caller a KBS guest is: known by (the start of) its session id only. */
    static Caller guest(TenantId tenant, String sessionHint) {
        String id = "kbs:" + (sessionHint.length() > 8 ? sessionHint.substring(0, 8) : sessionHint);
        return Caller.of(new Principal(Principal.Kind.WORKLOAD, id), tenant, Role.CRYPTO_USER);
    }

    KbsChallenge auth(Caller caller, KbsRequest request) {
        KbsSessions.Pending session = sessions.open(caller.tenant().path(), request);
        return new KbsChallenge(KbsSessions.sessionId(session.challenge()), session.nonce(), session.hashAlgorithm(),
                session.challenge().expiresAt());
    }

    /**
     * Verifies the guest's evidence against the session's nonce and its tee-pubkey; an attested
     * session answers its token again without a second verification.
     */
    KbsSessions.Attested attest(Caller caller, String sessionId, KbsAttestation attestation) {
        String tenant = caller.tenant().path();
        Optional<KbsSessions.Attested> already = sessions.attested(sessionId, tenant);
        if (already.isPresent()) {
            return already.get();
        }
        attestation.requireEncryptableKey();
        byte[] nonce = attestation.nonceBytes();
        KbsSessions.Pending pending = sessions.pending(sessionId, tenant);
        KbsAttestation.Evidence evidence = attestation.evidence(pending.tee());
        ExpectedBinding binding = new ExpectedBinding.Kbs(attestation.runtimeData(pending.nonce()),
                pending.hashAlgorithm());
        VerificationInputs inputs = evidence.eventLog().map(log -> VerificationInputs.none().withEventLog(log.toArray()))
                .orElse(VerificationInputs.none());
        String shortId = sessionId.substring(0, 8);
        AttestationResult result = gate.verify(caller, "kbs/sessions/" + shortId, shortId, evidence.type(),
                evidence.bytes(), () -> {
                    sessions.consume(sessionId, tenant, nonce);
                    return inputs.withExpectedReportData(binding.reportData());
                }, attestation::requireInitData);
        Instant end = pending.challenge().expiresAt();
        String token = tokens.issue(sessionId, clock.instant(), end, attestation.teePubkey(),
                AttestationGate.decisiveClaims(result));
        KbsSessions.Attested attested = new KbsSessions.Attested(sessionId, tenant, attestation.teeKey(), result, token,
                end);
        sessions.attest(attested);
        return attested;
    }

    /** The attested session a resource request names; UNAUTHENTICATED for none, an ended or an unattested one. */
    KbsSessions.Attested session(Caller caller, KbsCredential credential) {
        String sessionId = credential.sessionId(tokens, clock.instant()).orElseThrow(() -> KmsError.of(
                ErrorCode.UNAUTHENTICATED, "the bearer token is not a current token of this KBS"));
        return sessions.attested(sessionId, caller.tenant().path()).orElseThrow(() -> KmsError.of(
                ErrorCode.UNAUTHENTICATED, "no attested KBS session; POST /kbs/v0/auth and /kbs/v0/attest first"));
    }
}
