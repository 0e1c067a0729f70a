package dev.tresor.kms.attest;

import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configured trust: pinned roots (by DER SHA-256), issuer certificates known to the
 * operator, TPM AK CAs, token issuers and, only when simulation is allowed, the simulated ARK.
 * Nothing here is fetched; all of it comes from configuration.
 *
 * @param arkFingerprints  AMD ARK pin per product (defaults built in, overridable)
 * @param amdCertificates  ASK/ASVK/ARK certificates from configuration (candidates; the ARK pin decides)
 * @param intelRootFingerprint the pinned Intel SGX Root CA
 * @param intelCertificates Intel root and TCB Signing certificates from configuration
 * @param tpmRoots          anchors for AK certificates (e.g. the GCE EK/AK roots)
 * @param tpmIntermediates  intermediate CAs between an AK certificate and a TPM root
 * @param tokenIssuers      issuers whose signed tokens are accepted
 * @param simulatedArk      the sim-snp root; present only when simulation is allowed
 */
public record AttestationTrust(Map<SnpProduct, String> arkFingerprints,
                               List<X509Certificate> amdCertificates,
                               String intelRootFingerprint,
                               List<X509Certificate> intelCertificates,
                               List<X509Certificate> tpmRoots,
                               List<X509Certificate> tpmIntermediates,
                               List<TokenIssuer> tokenIssuers,
                               Optional<X509Certificate> simulatedArk) {

    /** DER SHA-256 of the Intel SGX Root CA. */
    public static final String INTEL_SGX_ROOT_CA =
            "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

    public AttestationTrust {
        arkFingerprints = Map.copyOf(arkFingerprints);
        amdCertificates = List.copyOf(amdCertificates);
        Objects.requireNonNull(intelRootFingerprint);
        intelCertificates = List.copyOf(intelCertificates);
        tpmRoots = List.copyOf(tpmRoots);
        tpmIntermediates = List.copyOf(tpmIntermediates);
        tokenIssuers = List.copyOf(tokenIssuers);
        Objects.requireNonNull(simulatedArk);
        if (simulatedArk.isPresent()) {
            X509Certificate ark = simulatedArk.get();
            if (arkFingerprints.containsValue(Certificates.fingerprint(ark))
                    || Certificates.commonName(ark.getSubjectX500Principal()).startsWith("ARK-")) {
                throw new IllegalArgumentException("the simulated ARK must not be an AMD root");
            }
        }
    }

    /** Built-in pins only; no issuer certificates, no TPM CAs, no token issuers, no simulation. */
    public static AttestationTrust defaults() {
        Map<SnpProduct, String> pins = new EnumMap<>(SnpProduct.class);
        for (SnpProduct product : SnpProduct.values()) {
            pins.put(product, product.arkFingerprint());
        }
        return new AttestationTrust(pins, List.of(), INTEL_SGX_ROOT_CA, List.of(), List.of(), List.of(),
                List.of(), Optional.empty());
    }

    public AttestationTrust withArkFingerprint(SnpProduct product, String fingerprint) {
        Map<SnpProduct, String> pins = new EnumMap<>(arkFingerprints);
        pins.put(product, fingerprint.toLowerCase(java.util.Locale.ROOT));
        return new AttestationTrust(pins, amdCertificates, intelRootFingerprint, intelCertificates, tpmRoots,
                tpmIntermediates, tokenIssuers, simulatedArk);
    }

    public AttestationTrust withAmdCertificates(List<X509Certificate> certificates) {
        return new AttestationTrust(arkFingerprints, certificates, intelRootFingerprint, intelCertificates,
                tpmRoots, tpmIntermediates, tokenIssuers, simulatedArk);
    }

    public AttestationTrust withIntelRootFingerprint(String fingerprint) {
        return new AttestationTrust(arkFingerprints, amdCertificates, fingerprint.toLowerCase(java.util.Locale.ROOT),
                intelCertificates, tpmRoots, tpmIntermediates, tokenIssuers, simulatedArk);
    }

    public AttestationTrust withIntelCertificates(List<X509Certificate> certificates) {
        return new AttestationTrust(arkFingerprints, amdCertificates, intelRootFingerprint, certificates,
                tpmRoots, tpmIntermediates, tokenIssuers, simulatedArk);
    }

    public AttestationTrust withTpmCas(List<X509Certificate> roots, List<X509Certificate> intermediates) {
        return new AttestationTrust(arkFingerprints, amdCertificates, intelRootFingerprint, intelCertificates,
                roots, intermediates, tokenIssuers, simulatedArk);
    }

    public AttestationTrust withTokenIssuers(List<TokenIssuer> issuers) {
        return new AttestationTrust(arkFingerprints, amdCertificates, intelRootFingerprint, intelCertificates,
                tpmRoots, tpmIntermediates, issuers, simulatedArk);
    }

    /** Allows sim-snp evidence chaining to {@code ark}; never call this outside dev mode. */
    public AttestationTrust withSimulatedArk(X509Certificate ark) {
        return new AttestationTrust(arkFingerprints, amdCertificates, intelRootFingerprint, intelCertificates,
                tpmRoots, tpmIntermediates, tokenIssuers, Optional.of(ark));
    }
}
