package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TdxVerifierTest {
    static final String DCAP_2025 = "tdx/collateral/dcapqvl-2025-06-fmspcb0c06f";
    static final String DCAP_2026 = "tdx/collateral/dcapqvl-2026-02-fmspc90c06f";
    static final String PCS_2023 = "tdx/collateral/pcs-2023-06-fmspc50806f";
    static final String TRUSTEE_2025 = "tdx/collateral/trustee-2025-10-fmspc00a06d08";
    static final String CHAIN_2018 = "tdx/roots/tcb_signing_chain_2018.pem";
    static final String CHAIN_2025 = "tdx/roots/tcb_signing_chain_2025.pem";

    /** Collateral from one PCS folder: TCB info, QE identity and whichever CRLs it has. */
    static VerificationInputs collateral(String folder, String signingChain) {
        return collateral(folder + "/tcb_info.json", folder + "/qe_identity.json", signingChain)
                .withCrls(crls(folder));
    }

    static VerificationInputs collateral(String tcbInfo, String qeIdentity, String signingChain) {
        return VerificationInputs.none().withTdxCollateral(new TdxCollateral(Bytes.of(TestData.read(tcbInfo)),
                Bytes.of(TestData.read(qeIdentity)), TestData.certs(signingChain)));
    }

    static List<java.security.cert.X509CRL> crls(String folder) {
        List<java.security.cert.X509CRL> crls = new ArrayList<>();
        for (String name : List.of("pck_crl_platform.der", "root_ca_crl.der")) {
            if (Files.exists(TestData.root().resolve(folder).resolve(name))) {
                crls.add(Certificates.parseCrl(TestData.read(folder + "/" + name)));
            }
        }
        return crls;
    }

    private static Map<String, Object> verify(String quote, VerificationInputs inputs, Clock clock) {
        return new TdxVerifier(AttestationTrust.defaults(), clock).verify(TestData.read(quote), inputs).claims();
    }

    private static Reason refusal(String quote, VerificationInputs inputs, Clock clock) {
        return refusal(AttestationTrust.defaults(), quote, inputs, clock);
    }

    private static Reason refusal(AttestationTrust trust, String quote, VerificationInputs inputs, Clock clock) {
        KmsError error = assertThrows(KmsError.class,
                () -> new TdxVerifier(trust, clock).verify(TestData.read(quote), inputs));
        return Reason.of(error).orElseThrow();
    }

    @Test
    void dcapQuoteV4IsUpToDateWithItsCollateral() {
        Map<String, Object> claims = verify("tdx/dcapqvl-v4/quote.bin", collateral(DCAP_2025, CHAIN_2025),
                TestData.at("2025-07-01T00:00:00Z"));
        assertEquals("UpToDate", claims.get("tdx.tcb_status"));
        assertEquals("UpToDate", claims.get("tdx.tcb_status.module"));
        assertEquals("2024-03-13T00:00:00Z", claims.get("tdx.tcb_date"));
        assertEquals("b0c06f000000", claims.get("tdx.fmspc"));
        assertEquals(true, claims.get("tdx.td_attributes.sept_ve_disable"));
        assertEquals(70L, claims.get("tdx.trailing_bytes"));
    }

    @Test
    void quoteV5WithTdx15BodyIsUpToDate() {
        Map<String, Object> claims = verify("tdx/gotdx-v5/quote.bin", collateral(DCAP_2026, CHAIN_2025),
                TestData.at("2026-02-20T00:00:00Z"));
        assertEquals("TDX1.5", claims.get("tdx.body"));
        assertEquals("UpToDate", claims.get("tdx.tcb_status"));
        assertEquals("0d010400000000000000000000000000", claims.get("tdx.tee_tcb_svn2"));
    }

    @Test
    void debugTdVerifiesButSaysSo() {
        Map<String, Object> claims = verify("tdx/trustee-v4-debug/quote.bin", collateral(PCS_2023, CHAIN_2018),
                TestData.at("2023-07-01T01:00:00Z"));
        assertEquals(true, claims.get("tdx.td_attributes.debug"));
        assertEquals("UpToDate", claims.get("tdx.tcb_status"));
    }

    @Test
    void outOfDatePlatformIsAClaimNotARefusal() {
        Map<String, Object> claims = verify("tdx/trustee-v4-6/quote.bin", collateral(TRUSTEE_2025, CHAIN_2025),
                TestData.at("2025-11-01T00:00:00Z"));
        assertEquals("OutOfDate", claims.get("tdx.tcb_status"));
        assertEquals("OutOfDate", claims.get("tdx.tcb_status.platform"));
        assertEquals("UpToDate", claims.get("tdx.tcb_status.module"));
    }

    @Test
    void platformMatchingNoTcbLevelIsNotSupported() {
        assertEquals(Reason.TCB_NOT_SUPPORTED, refusal("tdx/dcapqvl-v5-outdated/quote.bin",
                collateral(DCAP_2026, CHAIN_2025), TestData.at("2026-02-20T00:00:00Z")));
        assertEquals(Reason.TCB_NOT_SUPPORTED, refusal("tdx/gotdx-v4-spr/quote.bin",
                collateral(PCS_2023, CHAIN_2018), TestData.at("2023-07-01T01:00:00Z")));
    }

    @Test
    void quotesWithoutCollateralAreRefusedUnlessOnlySignaturesAreAsked() {
        Clock clock = TestData.at("2025-07-01T00:00:00Z");
        for (String quote : List.of("tdx/gce-cos113-ccel/quote.bin", "tdx/azure-tdx-vtpm/td_quote.bin")) {
            assertEquals(Reason.COLLATERAL_MISSING, refusal(quote, VerificationInputs.none(), clock), quote);
            assertEquals(false, verify(quote, VerificationInputs.none().withSignaturesOnly(), clock)
                    .get("tdx.collateral"), quote);
        }
    }

    @Test
    void tamperedQuotesFailTheirSignatures() {
        Clock clock = TestData.at("2025-07-01T00:00:00Z");
        VerificationInputs inputs = collateral(DCAP_2025, CHAIN_2025);
        assertEquals(Reason.SIGNATURE_INVALID, refusal("negative/tdx/dcapqvl_v4_mrtd_flipped.bin", inputs, clock));
        assertEquals(Reason.SIGNATURE_INVALID, refusal("negative/tdx/dcapqvl_v4_rtmr3_flipped.bin", inputs, clock));
        assertEquals(Reason.QE_REPORT_INVALID, refusal("negative/tdx/dcapqvl_v4_qe_report_flipped.bin", inputs, clock));
        assertEquals(Reason.MALFORMED, refusal("negative/tdx/dcapqvl_v4_truncated.bin", inputs, clock));
    }

    @Test
    void pckChainUnderAnotherRootIsUntrusted() {
        AttestationTrust amdPinned = AttestationTrust.defaults()
                .withIntelRootFingerprint(SnpProduct.MILAN.arkFingerprint());
        assertEquals(Reason.UNTRUSTED_ROOT, refusal(amdPinned, "tdx/dcapqvl-v4/quote.bin",
                collateral(DCAP_2025, CHAIN_2025), TestData.at("2025-07-01T00:00:00Z")));
    }

    @Test
    void staleCollateralIsRefused() {
        assertEquals(Reason.COLLATERAL_STALE, refusal("tdx/gotdx-v4-spr/quote.bin",
                collateral(PCS_2023, CHAIN_2018), TestData.at("2026-11-23T00:00:00Z")));
    }

    @Test
    void expiredTcbSigningCertificateIsRefusedThoughItsKeySigned() {
        VerificationInputs inputs = collateral("tdx/collateral/pcs-2026-02-fmspc90c06f-gotdx/tcb_info.json",
                DCAP_2026 + "/qe_identity.json", CHAIN_2018);
        assertEquals(Reason.COLLATERAL_INVALID, refusal("tdx/gotdx-v5/quote.bin", inputs,
                TestData.at("2026-02-20T00:00:00Z")));
        assertEquals("UpToDate", verify("tdx/gotdx-v5/quote.bin",
                collateral("tdx/collateral/pcs-2026-02-fmspc90c06f-gotdx/tcb_info.json",
                        DCAP_2026 + "/qe_identity.json", CHAIN_2025), TestData.at("2026-02-20T00:00:00Z"))
                .get("tdx.tcb_status"));
    }

    @Test
    void collateralOfAnotherPlatformIsRefused() {
        assertEquals(Reason.COLLATERAL_MISMATCH, refusal("tdx/dcapqvl-v4/quote.bin",
                collateral(PCS_2023 + "/tcb_info.json", DCAP_2025 + "/qe_identity.json", CHAIN_2018),
                TestData.at("2025-07-01T00:00:00Z")));
        assertEquals(Reason.COLLATERAL_MISMATCH, refusal("tdx/gotdx-v5/quote.bin",
                collateral(DCAP_2025 + "/tcb_info.json", DCAP_2026 + "/qe_identity.json", CHAIN_2025),
                TestData.at("2026-02-20T00:00:00Z")));
    }
}
