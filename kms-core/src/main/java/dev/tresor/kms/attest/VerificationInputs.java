package dev.tresor.kms.attest;

import dev.tresor.kms.service.Bytes;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one verification call brings besides the evidence bytes: the expected binding, the
 * certificates sent with the evidence (candidates only, never anchors), CRLs, TDX collateral and
 * the attestation keys registered for the caller.
 *
 * @param expectedReportData the binding the evidence must carry (64 bytes for SNP and TDX, the
 *                           TPM extraData, a token's binding claim); empty means unbound: the
 *                           verdict then carries {@code bound=false} and never releases alone
 * @param signaturesOnly     TDX without collateral: check signatures and the PCK chain and report
 *                           {@code tdx.collateral=false} instead of refusing (operator debugging)
 * @param eventLog           a TCG event log (TDX CCEL, TPM PC Client) to replay against the
 *                           RTMRs or PCR values; the GCE protobuf may carry its own
 */
public record VerificationInputs(Optional<Bytes> expectedReportData,
                                 List<X509Certificate> certificates,
                                 List<X509CRL> crls,
                                 Optional<TdxCollateral> tdxCollateral,
                                 List<PublicKey> registeredAks,
                                 boolean signaturesOnly,
                                 Optional<Bytes> eventLog) {
    public VerificationInputs {
        Objects.requireNonNull(expectedReportData);
        certificates = List.copyOf(certificates);
        crls = List.copyOf(crls);
        Objects.requireNonNull(tdxCollateral);
        registeredAks = List.copyOf(registeredAks);
        Objects.requireNonNull(eventLog);
    }

    public static VerificationInputs none() {
        return new VerificationInputs(Optional.empty(), List.of(), List.of(), Optional.empty(), List.of(), false,
                Optional.empty());
    }

    public VerificationInputs withExpectedReportData(byte[] expected) {
        return new VerificationInputs(Optional.of(Bytes.of(expected)), certificates, crls, tdxCollateral,
                registeredAks, signaturesOnly, eventLog);
    }

    /** The same inputs with no binding: for a layer whose binding sits elsewhere (Azure's TPM quote). */
    public VerificationInputs withoutExpectedReportData() {
        return new VerificationInputs(Optional.empty(), certificates, crls, tdxCollateral, registeredAks,
                signaturesOnly, eventLog);
    }

    public VerificationInputs withCertificates(List<X509Certificate> more) {
        return new VerificationInputs(expectedReportData, concat(certificates, more), crls, tdxCollateral,
                registeredAks, signaturesOnly, eventLog);
    }

    public VerificationInputs withCrls(List<X509CRL> more) {
        return new VerificationInputs(expectedReportData, certificates, concat(crls, more), tdxCollateral,
                registeredAks, signaturesOnly, eventLog);
    }

    public VerificationInputs withTdxCollateral(TdxCollateral collateral) {
        return new VerificationInputs(expectedReportData, certificates, crls, Optional.of(collateral),
                registeredAks, signaturesOnly, eventLog);
    }

    public VerificationInputs withRegisteredAk(PublicKey ak) {
        return new VerificationInputs(expectedReportData, certificates, crls, tdxCollateral,
                concat(registeredAks, List.of(ak)), signaturesOnly, eventLog);
    }

    public VerificationInputs withSignaturesOnly() {
        return new VerificationInputs(expectedReportData, certificates, crls, tdxCollateral, registeredAks, true,
                eventLog);
    }

    public VerificationInputs withEventLog(byte[] log) {
        return new VerificationInputs(expectedReportData, certificates, crls, tdxCollateral, registeredAks,
                signaturesOnly, Optional.of(Bytes.of(log)));
    }

    /**
     * Whether the evidence is bound: false when no binding is expected; true when {@code actual}
     * equals it (constant time); otherwise refused with {@link Reason#BINDING_MISMATCH}.
     */
    boolean requireBinding(byte[] actual, String field) {
        if (expectedReportData.isEmpty()) {
            return false;
        }
        if (!MessageDigest.isEqual(actual, expectedReportData.get().toArray())) {
            throw Reason.BINDING_MISMATCH.error(field + " does not carry the expected binding");
        }
        return true;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
