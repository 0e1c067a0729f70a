package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/**
 * Verifies Intel TDX DCAP quotes v4/v5: structure, PCK chain to the pinned Intel SGX Root CA
 * with CRLs, the attestation-key signature, the QE report (PCK signature and key binding), the
 * TCB info and QE identity collateral (exact-bytes signatures, currency, FMSPC/PCE-ID) and the
 * merged TCB status by Intel's rule (worst of platform, TDX module and QE).
 */
public final class TdxVerifier implements EvidenceVerifier {
    private static final String[] TD_ATTRIBUTE_FLAGS = {"debug", "sept_ve_disable", "pks", "kl", "perfmon"};
    private static final int[] TD_ATTRIBUTE_BITS = {0, 28, 30, 31, 63};

    private final AttestationTrust trust;
    private final Clock clock;

    public TdxVerifier(AttestationTrust trust, Clock clock) {
        this.trust = Objects.requireNonNull(trust);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public AttestationResult verify(byte[] evidence, VerificationInputs inputs) {
        return new AttestationResult("tdx", verifyQuote(evidence, inputs).asMap());
    }

    Claims verifyQuote(byte[] evidence, VerificationInputs inputs) {
        TdxQuote quote = TdxQuote.parse(evidence);
        Instant now = clock.instant();
        X509Certificate pckLeaf = verifyPckChain(quote, inputs, now);
        PckCertificate pck = PckCertificate.read(pckLeaf);

        PublicKey attestationKey = SignatureCheck.ecPublicKey("secp256r1",
                Arrays.copyOfRange(quote.attestationKey(), 0, 32), Arrays.copyOfRange(quote.attestationKey(), 32, 64));
        if (!SignatureCheck.verifies("SHA256withECDSAinP1363Format", attestationKey, quote.signedRegion(),
                quote.signature())) {
            throw Reason.SIGNATURE_INVALID.error("quote signature does not verify under the attestation key");
        }
        byte[] qeReport = quote.qeReport();
        if (!SignatureCheck.verifies("SHA256withECDSAinP1363Format", pckLeaf.getPublicKey(), qeReport,
                quote.qeReportSignature())) {
            throw Reason.QE_REPORT_INVALID.error("QE report is not signed by the PCK certificate");
        }
        MessageDigest sha256 = Certificates.digest("SHA-256");
        sha256.update(quote.attestationKey());
        sha256.update(quote.qeAuthData());
        byte[] expected = Arrays.copyOf(sha256.digest(), 64);
        if (!MessageDigest.isEqual(expected, TdxQuote.qeField(qeReport, 320, 64))) {
            throw Reason.QE_BINDING_INVALID.error("QE report data does not bind the attestation key");
        }

        Claims claims = new Claims();
        Optional<TdxCollateral> collateral = inputs.tdxCollateral();
        if (collateral.isPresent()) {
            evaluateTcb(quote, pck, collateral.get(), inputs, now, claims);
        } else if (!inputs.signaturesOnly()) {
            throw Reason.COLLATERAL_MISSING.error("no TCB info and QE identity for FMSPC "
                    + HexFormat.of().formatHex(pck.fmspc()));
        }
        inputs.eventLog().ifPresent(log -> {
            requireReplay(quote, TcgEventLog.parse(log.toArray()));
            claims.put("tdx.ccel", true);
        });
        boolean bound = inputs.requireBinding(quote.reportData(), "report_data");
        return quoteClaims(quote, pck, collateral.isPresent(), bound, now).putAll(claims.asMap());
    }

    /** The CC event log's MR indexes 1..4, extended from zero with SHA-384, must give RTMR0..3. */
    private static void requireReplay(TdxQuote quote, TcgEventLog log) {
        Map<Integer, byte[]> replayed = log.replay(TpmAlgorithm.SHA384);
        for (int rtmr = 0; rtmr < 4; rtmr++) {
            byte[] expected = replayed.getOrDefault(rtmr + 1, new byte[48]);
            if (!MessageDigest.isEqual(expected, quote.body(328 + 48 * rtmr, 48))) {
                throw Reason.PCR_MISMATCH.error("RTMR" + rtmr + " does not match the CC event log");
            }
        }
    }

    private X509Certificate verifyPckChain(TdxQuote quote, VerificationInputs inputs, Instant now) {
        List<X509Certificate> embedded = Certificates.parse(quote.pckChainPem());
        X509Certificate leaf = embedded.stream()
                .filter(c -> Certificates.commonName(c.getSubjectX500Principal()).equals("Intel SGX PCK Certificate"))
                .findFirst().orElseThrow(() -> Reason.CHAIN_INVALID.error("quote carries no PCK certificate"));
        List<X509Certificate> candidates = new ArrayList<>(embedded);
        candidates.addAll(trust.intelCertificates());
        X509Certificate ca = Certificates.issuerOf(leaf, candidates)
                .orElseThrow(() -> Reason.CHAIN_INVALID.error("PCK certificate is not signed by a PCK CA"));
        String caName = Certificates.commonName(ca.getSubjectX500Principal());
        if (!caName.equals("Intel SGX PCK Platform CA") && !caName.equals("Intel SGX PCK Processor CA")) {
            throw Reason.CHAIN_INVALID.error("PCK issuer " + caName + " is not a PCK CA");
        }
        X509Certificate root = pinnedRoot(ca, candidates, "PCK CA");
        Certificates.requireValid(root, now, "Intel SGX Root CA");
        Certificates.requireValid(ca, now, caName);
        Certificates.requireValid(leaf, now, "PCK");
        Certificates.requireNotRevoked(ca, root, inputs.crls(), now, caName);
        Certificates.requireNotRevoked(leaf, ca, inputs.crls(), now, "PCK");
        return leaf;
    }

    private X509Certificate pinnedRoot(X509Certificate child, List<X509Certificate> candidates, String role) {
        X509Certificate root = Certificates.issuerOf(child, candidates)
                .orElseThrow(() -> Reason.UNTRUSTED_ROOT.error(role + " does not chain to a given root"));
        String fingerprint = Certificates.fingerprint(root);
        if (!MessageDigest.isEqual(fingerprint.getBytes(), trust.intelRootFingerprint().getBytes())
                || !Certificates.signedBy(root, root.getPublicKey())) {
            throw Reason.UNTRUSTED_ROOT.error(role + " chains to " + fingerprint + ", not the pinned Intel SGX Root CA");
        }
        return root;
    }

    private void evaluateTcb(TdxQuote quote, PckCertificate pck, TdxCollateral collateral, VerificationInputs inputs,
                             Instant now, Claims claims) {
        SignedCollateral tcbInfo = SignedCollateral.parse(collateral.tcbInfoJson().toArray(), "tcbInfo");
        SignedCollateral qeIdentity = SignedCollateral.parse(collateral.qeIdentityJson().toArray(), "enclaveIdentity");
        requireKind(tcbInfo, "TDX", 3);
        requireKind(qeIdentity, "TD_QE", 2);
        if (!MessageDigest.isEqual(tcbInfo.hex(tcbInfo.body(), "fmspc"), pck.fmspc())) {
            throw Reason.COLLATERAL_MISMATCH.error("TCB info FMSPC " + tcbInfo.text("fmspc") + " is not the PCK's");
        }
        if (!MessageDigest.isEqual(tcbInfo.hex(tcbInfo.body(), "pceId"), pck.pceId())) {
            throw Reason.COLLATERAL_MISMATCH.error("TCB info PCE-ID " + tcbInfo.text("pceId") + " is not the PCK's");
        }
        List<X509Certificate> signers = new ArrayList<>(collateral.tcbSigningChain());
        signers.addAll(trust.intelCertificates());
        X509Certificate tcbSigner = requireSigned(tcbInfo, signers);
        X509Certificate qeSigner = requireSigned(qeIdentity, signers);
        tcbInfo.requireCurrent(now);
        qeIdentity.requireCurrent(now);
        for (X509Certificate signer : List.of(tcbSigner, qeSigner)) {
            X509Certificate root = pinnedRoot(signer, signers, "TCB Signing certificate");
            if (!Certificates.isValidAt(signer, now)) {
                throw Reason.COLLATERAL_INVALID.error("TCB Signing certificate is not valid at " + now);
            }
            Certificates.requireNotRevoked(signer, root, inputs.crls(), now, "TCB Signing");
        }

        TcbStatus qeStatus = qeStatus(quote, qeIdentity, claims);
        Optional<TcbStatus> moduleStatus = moduleStatus(quote, tcbInfo);
        JsonNode platform = platformLevel(quote, pck, tcbInfo);
        TcbStatus platformStatus = TcbStatus.parse(platform.path("tcbStatus").asText());
        TcbStatus merged = TcbStatus.worst(platformStatus, TcbStatus.worst(qeStatus, moduleStatus.orElse(qeStatus)));
        if (merged == TcbStatus.REVOKED) {
            throw Reason.TCB_REVOKED.error("TCB status is Revoked");
        }
        claims.put("tdx.tcb_status", merged.intelName())
                .put("tdx.tcb_status.platform", platformStatus.intelName())
                .put("tdx.tcb_status.qe", qeStatus.intelName())
                .put("tdx.tcb_date", platform.path("tcbDate").asText())
                .put("tdx.tcb_evaluation_data_number", tcbInfo.body().path("tcbEvaluationDataNumber").asLong());
        moduleStatus.ifPresent(status -> claims.put("tdx.tcb_status.module", status.intelName()));
        for (JsonNode advisory : platform.path("advisoryIDs")) {
            claims.put("tdx.advisory." + advisory.asText(), true);
        }
    }

    private static void requireKind(SignedCollateral document, String id, int version) {
        if (!document.text("id").equals(id) || document.body().path("version").asInt() != version) {
            throw Reason.COLLATERAL_INVALID.error(document.name() + " is not " + id + " version " + version);
        }
    }

    private static X509Certificate requireSigned(SignedCollateral document, List<X509Certificate> candidates) {
        List<X509Certificate> signers = candidates.stream()
                .filter(c -> Certificates.commonName(c.getSubjectX500Principal()).equals("Intel SGX TCB Signing"))
                .toList();
        if (signers.isEmpty()) {
            throw Reason.COLLATERAL_MISSING.error("no TCB Signing certificate for " + document.name());
        }
        return signers.stream()
                .filter(s -> SignatureCheck.verifies("SHA256withECDSAinP1363Format", s.getPublicKey(),
                        document.signedBytes(), document.signature()))
                .max(Comparator.comparing(X509Certificate::getNotAfter))
                .orElseThrow(() -> Reason.COLLATERAL_INVALID.error(document.name()
                        + " signature does not verify under a TCB Signing certificate"));
    }

    private static TcbStatus qeStatus(TdxQuote quote, SignedCollateral identity, Claims claims) {
        byte[] report = quote.qeReport();
        JsonNode body = identity.body();
        boolean matches = MessageDigest.isEqual(identity.hex(body, "mrsigner"), TdxQuote.qeField(report, 128, 32))
                && body.path("isvprodid").asInt(-1) == WireReader.le16(report, 256)
                && masked(TdxQuote.qeField(report, 16, 4), identity.hex(body, "miscselectMask"),
                        identity.hex(body, "miscselect"))
                && masked(TdxQuote.qeField(report, 48, 16), identity.hex(body, "attributesMask"),
                        identity.hex(body, "attributes"));
        if (!matches) {
            throw Reason.QE_IDENTITY_MISMATCH.error("QE report does not match the TD_QE identity");
        }
        int isvsvn = WireReader.le16(report, 258);
        claims.put("tdx.qe.isvsvn", isvsvn);
        return firstLevel(body.path("tcbLevels"), level -> level.path("tcb").path("isvsvn").asInt() <= isvsvn)
                .map(level -> TcbStatus.parse(level.path("tcbStatus").asText()))
                .orElseThrow(() -> Reason.TCB_NOT_SUPPORTED.error("QE ISVSVN " + isvsvn + " matches no TCB level"));
    }

    private static Optional<TcbStatus> moduleStatus(TdxQuote quote, SignedCollateral tcbInfo) {
        byte[] svn = quote.teeTcbSvn();
        int major = svn[1] & 0xFF;
        JsonNode identity;
        if (major == 0) {
            identity = tcbInfo.body().path("tdxModule");
        } else {
            String id = String.format(Locale.ROOT, "TDX_%02X", major);
            identity = StreamSupport.stream(tcbInfo.body().path("tdxModuleIdentities").spliterator(), false)
                    .filter(m -> m.path("id").asText().equals(id)).findFirst()
                    .orElseThrow(() -> Reason.TCB_NOT_SUPPORTED.error("TCB info has no module identity " + id));
        }
        boolean matches = MessageDigest.isEqual(tcbInfo.hex(identity, "mrsigner"), quote.body(64, 48))
                && masked(quote.body(112, 8), tcbInfo.hex(identity, "attributesMask"),
                        tcbInfo.hex(identity, "attributes"));
        if (!matches) {
            throw Reason.TCB_NOT_SUPPORTED.error("TDX module signer or attributes match no module identity");
        }
        if (major == 0) {
            return Optional.empty();
        }
        int minor = svn[0] & 0xFF;
        return Optional.of(firstLevel(identity.path("tcbLevels"),
                        level -> level.path("tcb").path("isvsvn").asInt() <= minor)
                .map(level -> TcbStatus.parse(level.path("tcbStatus").asText()))
                .orElseThrow(() -> Reason.TCB_NOT_SUPPORTED.error("TDX module SVN " + minor + " matches no level")));
    }

    private static JsonNode platformLevel(TdxQuote quote, PckCertificate pck, SignedCollateral tcbInfo) {
        byte[] svn = quote.teeTcbSvn();
        boolean skipModule = (svn[1] & 0xFF) > 0;
        List<JsonNode> levels = new ArrayList<>();
        tcbInfo.body().path("tcbLevels").forEach(levels::add);
        levels.sort(Comparator.comparing(TdxVerifier::levelKey, Arrays::compare).reversed());
        return levels.stream().filter(level -> {
            JsonNode tcb = level.path("tcb");
            for (int i = 0; i < 16; i++) {
                if (pck.componentSvn(i) < tcb.path("sgxtcbcomponents").path(i).path("svn").asInt()) {
                    return false;
                }
                boolean skipped = skipModule && i < 2;
                if (!skipped && (svn[i] & 0xFF) < tcb.path("tdxtcbcomponents").path(i).path("svn").asInt()) {
                    return false;
                }
            }
            return pck.pceSvn() >= tcb.path("pcesvn").asInt();
        }).findFirst().orElseThrow(() -> Reason.TCB_NOT_SUPPORTED.error("platform TCB matches no TCB level"));
    }

    /** SGX components, PCESVN, TDX components: the order Intel's levels are ranked in. */
    private static int[] levelKey(JsonNode level) {
        JsonNode tcb = level.path("tcb");
        int[] key = new int[33];
        for (int i = 0; i < 16; i++) {
            key[i] = tcb.path("sgxtcbcomponents").path(i).path("svn").asInt();
            key[17 + i] = tcb.path("tdxtcbcomponents").path(i).path("svn").asInt();
        }
        key[16] = tcb.path("pcesvn").asInt();
        return key;
    }

    private static Optional<JsonNode> firstLevel(JsonNode levels, Predicate<JsonNode> matches) {
        return StreamSupport.stream(levels.spliterator(), false).filter(matches).findFirst();
    }

    private static boolean masked(byte[] actual, byte[] mask, byte[] expected) {
        if (mask.length != actual.length || expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < actual.length; i++) {
            if ((actual[i] & mask[i]) != (expected[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

    private static Claims quoteClaims(TdxQuote quote, PckCertificate pck, boolean collateral, boolean bound,
                                      Instant now) {
        Claims claims = new Claims()
                .put("tee", "tdx")
                .put("simulated", false)
                .put("verified_at", now.toString())
                .put("bound", bound)
                .put("tdx.version", quote.version())
                .put("tdx.body", quote.isTdx15() ? "TDX1.5" : "TDX1.0")
                .hex("tdx.tee_tcb_svn", quote.teeTcbSvn())
                .hex("tdx.mrseam", quote.body(16, 48))
                .hex("tdx.mrsignerseam", quote.body(64, 48))
                .hex("tdx.seam_attributes", quote.body(112, 8))
                .hex("tdx.td_attributes", quote.body(120, 8))
                .hex("tdx.xfam", quote.body(128, 8))
                .hex("tdx.mrtd", quote.body(136, 48))
                .hex("tdx.mrconfigid", quote.body(184, 48))
                .hex("tdx.mrowner", quote.body(232, 48))
                .hex("tdx.mrownerconfig", quote.body(280, 48))
                .hex("tdx.report_data", quote.reportData())
                .hex("tdx.fmspc", pck.fmspc())
                .hex("tdx.pce_id", pck.pceId())
                .put("tdx.pce_svn", pck.pceSvn())
                .put("tdx.collateral", collateral)
                .put("tdx.trailing_bytes", quote.trailingBytes());
        for (int i = 0; i < 4; i++) {
            claims.hex("tdx.rtmr" + i, quote.body(328 + 48 * i, 48));
        }
        if (quote.isTdx15()) {
            claims.hex("tdx.tee_tcb_svn2", quote.body(584, 16)).hex("tdx.mrservicetd", quote.body(600, 48));
        }
        long attributes = quote.tdAttributes();
        for (int i = 0; i < TD_ATTRIBUTE_FLAGS.length; i++) {
            claims.put("tdx.td_attributes." + TD_ATTRIBUTE_FLAGS[i], (attributes >>> TD_ATTRIBUTE_BITS[i] & 1) != 0);
        }
        byte[] qeReport = quote.qeReport();
        claims.hex("tdx.qe.mrenclave", TdxQuote.qeField(qeReport, 64, 32))
                .hex("tdx.qe.mrsigner", TdxQuote.qeField(qeReport, 128, 32))
                .put("tdx.qe.isvprodid", WireReader.le16(qeReport, 256))
                .put("tdx.qe.isvsvn", WireReader.le16(qeReport, 258));
        return claims;
    }
}
