package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.KmsError;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configured Intel collateral reaches a TDX verification by the FMSPC of the quote's PCK certificate. */
class TdxCollateralStoreTest {
    private static final Instant AT = Instant.parse("2025-07-01T00:00:00Z");
    private final TdxCollateralStore store = new TdxCollateralStore(
            TrustFiles.collateral(TestData.root().resolve("tdx/collateral")), List.of());

    @Test
    void theQuotesFmspcPicksItsSetAndItsCrls() {
        byte[] quote = TestData.read("tdx/dcapqvl-v4/quote.bin");
        VerificationInputs inputs = store.supplement("tdx", quote, VerificationInputs.none(), AT);
        String fmspc = new TdxCollateralStore.CollateralSet(inputs.tdxCollateral().orElseThrow(), List.of()).fmspc();
        assertEquals("b0c06f000000", fmspc);
        assertEquals(2, inputs.crls().size(), "the set's root CA and PCK CRLs");

        AttestationTrust trust = AttestationTrust.defaults()
                .withIntelCertificates(TestData.certs("tdx/roots/tcb_signing_chain_2025.pem"));
        AttestationResult result = new AttestationVerifiers(trust, TestData.at("2025-07-01T00:00:00Z"))
                .verify("tdx", quote, inputs);
        assertEquals("UpToDate", result.claims().get("tdx.tcb_status"));
    }

    @Test
    void otherEvidenceAndUnknownFmspcsGetNoCollateral() {
        assertTrue(store.supplement("tpm", TestData.read("tdx/dcapqvl-v4/quote.bin"), VerificationInputs.none(), AT)
                .tdxCollateral().isEmpty());
        assertTrue(store.supplement("tdx", TestData.read("tdx/gce-cos113-ccel/quote.bin"), VerificationInputs.none(), AT)
                .tdxCollateral().isEmpty(), "no collateral for FMSPC 00806f050000 in the set");
        assertTrue(store.supplement("tdx", new byte[] {1, 2, 3}, VerificationInputs.none(), AT).tdxCollateral().isEmpty(),
                "an unreadable quote is left to its verifier");
        assertEquals(4, store.size());
    }

    @Test
    void aFolderWithoutQeIdentityIsRefusedByName() {
        KmsError refused = org.junit.jupiter.api.Assertions.assertThrows(KmsError.class, () -> TrustFiles.collateral(
                TestData.root().resolve("tdx/collateral/pcs-2026-02-fmspc90c06f-gotdx")));
        assertTrue(refused.getMessage().contains("no qe_identity.json"), refused.getMessage());
    }
}
