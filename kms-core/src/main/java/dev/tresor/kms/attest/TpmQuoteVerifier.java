package dev.tresor.kms.attest;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies TPM 2.0 quotes: the AK is registered for the caller or certified under a configured
 * CA; its signature covers the raw TPMS_ATTEST; extraData carries the binding; the PCR values
 * sent hash to the quoted pcrDigest. Accepts the go-tpm-tools protobuf (GCE) and the Trustee
 * JSON form {@code {"ak_public": b64 SPKI, "tpm_quote": {"message", "signature", "pcrs"}}}.
 */
public final class TpmQuoteVerifier implements EvidenceVerifier {
    private static final int MAX_CHAIN = 5;

    private final AttestationTrust trust;
    private final Clock clock;

    public TpmQuoteVerifier(AttestationTrust trust, Clock clock) {
        this.trust = Objects.requireNonNull(trust);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public AttestationResult verify(byte[] evidence, VerificationInputs inputs) {
        TpmEvidence decoded = evidence.length > 0 && evidence[0] == '{' ? TpmEvidence.fromTrusteeJson(evidence)
                : TpmEvidence.fromGceProtobuf(evidence);
        Instant now = clock.instant();
        requireTrustedAk(decoded.ak(), decoded.akCertificate(), inputs, now);
        Claims claims = new Claims().put("tee", "tpm").put("simulated", false).put("verified_at", now.toString());
        boolean bound = false;
        for (TpmQuote quote : decoded.quotes()) {
            bound = verifyQuote(decoded.ak(), quote, inputs, claims);
        }
        Optional<TcgEventLog> log = inputs.eventLog().or(decoded::eventLog).map(b -> TcgEventLog.parse(b.toArray()));
        if (log.isPresent()) {
            for (TpmQuote quote : decoded.quotes()) {
                requireReplay(log.get(), quote);
            }
            claims.put("tpm.event_log", true);
        }
        return new AttestationResult("tpm", claims.put("bound", bound).asMap());
    }

    private void requireTrustedAk(PublicKey ak, Optional<X509Certificate> akCertificate, VerificationInputs inputs,
                                  Instant now) {
        byte[] encoded = ak.getEncoded();
        if (inputs.registeredAks().stream().anyMatch(k -> MessageDigest.isEqual(k.getEncoded(), encoded))) {
            return;
        }
        List<X509Certificate> candidates = new ArrayList<>(inputs.certificates());
        candidates.addAll(trust.tpmIntermediates());
        candidates.addAll(trust.tpmRoots());
        X509Certificate certificate = akCertificate.or(() -> inputs.certificates().stream()
                        .filter(c -> MessageDigest.isEqual(c.getPublicKey().getEncoded(), encoded)).findFirst())
                .orElseThrow(() -> Reason.AK_UNTRUSTED.error("AK is neither registered nor certified"));
        if (!MessageDigest.isEqual(certificate.getPublicKey().getEncoded(), encoded)) {
            throw Reason.AK_UNTRUSTED.error("AK certificate names another key");
        }
        X509Certificate current = certificate;
        for (int depth = 0; depth < MAX_CHAIN; depth++) {
            Certificates.requireValid(current, now, depth == 0 ? "AK" : "AK CA");
            X509Certificate link = current;
            if (trust.tpmRoots().stream().anyMatch(root -> root.equals(link))) {
                return;
            }
            current = Certificates.issuerOf(current, candidates)
                    .orElseThrow(() -> Reason.AK_UNTRUSTED.error("AK certificate does not chain to a configured CA"));
        }
        throw Reason.AK_UNTRUSTED.error("AK certificate chain is longer than " + MAX_CHAIN);
    }

    /**
     * Every PCR the log measures must hold the replayed value; PCRs the log does not touch
     * (IMA's PCR 10, the resettable 16-23) are not judged by it.
     */
    private static void requireReplay(TcgEventLog log, TpmQuote quote) {
        for (Map.Entry<TpmAlgorithm, Map<Integer, byte[]>> bank : quote.pcrs().entrySet()) {
            for (Map.Entry<Integer, byte[]> replayed : log.replay(bank.getKey()).entrySet()) {
                byte[] sent = bank.getValue().get(replayed.getKey());
                if (sent != null && !MessageDigest.isEqual(sent, replayed.getValue())) {
                    throw Reason.PCR_MISMATCH.error(bank.getKey().bank() + " PCR " + replayed.getKey()
                            + " does not match the event log");
                }
            }
        }
    }

    /** Checks one quote by {@code ak}; adds its claims and says whether the binding was checked. */
    static boolean verifyQuote(PublicKey ak, TpmQuote quote, VerificationInputs inputs, Claims claims) {
        byte[] attestBytes = quote.attest();
        if (!quote.signature().verifies(ak, attestBytes)) {
            throw Reason.SIGNATURE_INVALID.error("quote signature does not verify under the AK");
        }
        TpmAttest attest = TpmAttest.parse(attestBytes);
        boolean bound = inputs.requireBinding(attest.extraData(), "extraData");
        MessageDigest digest = Certificates.digest(quote.signature().hash().jcaName());
        for (TpmAttest.Selection selection : attest.selections()) {
            Map<Integer, byte[]> bank = quote.pcrs().getOrDefault(selection.hash(), Map.of());
            for (int index : selection.indexes()) {
                byte[] value = bank.get(index);
                if (value == null || value.length != selection.hash().length()) {
                    throw Reason.PCR_MISMATCH.error("no " + selection.hash().bank() + " value for PCR " + index);
                }
                digest.update(value);
                String prefix = selection.hash() == TpmAlgorithm.SHA256 ? "tpm.pcr." : "tpm.pcr." + selection.hash().bank() + ".";
                claims.hex(prefix + index, value);
            }
        }
        if (!MessageDigest.isEqual(digest.digest(), attest.pcrDigest())) {
            throw Reason.PCR_MISMATCH.error("PCR values do not hash to the quoted digest");
        }
        claims.hex("tpm.ak.sha256", Certificates.digest("SHA-256").digest(ak.getEncoded()))
                .hex("tpm.nonce", attest.extraData())
                .hex("tpm.qualified_signer", attest.qualifiedSigner())
                .put("tpm.clock", attest.clock())
                .put("tpm.reset_count", attest.resetCount())
                .put("tpm.restart_count", attest.restartCount())
                .put("tpm.firmware_version", attest.firmwareVersion());
        return bound;
    }
}
