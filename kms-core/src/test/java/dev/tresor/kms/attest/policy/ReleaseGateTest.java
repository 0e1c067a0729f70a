package dev.tresor.kms.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.Reason;
import dev.tresor.kms.service.KmsError;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleaseGateTest {
    private static final ReleasePolicy ANY_TDX = ReleasePolicy.parse(
            "{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"tdx\"}]}", PolicyContext.production());

    private static AttestationResult tdx(Map<String, Object> changes) {
        Map<String, Object> claims = new HashMap<>(Map.of("tee", "tdx", "bound", true, "simulated", false,
                "tdx.version", 4L, "tdx.collateral", true, "tdx.tcb_status", "UpToDate", "tdx.td_attributes.debug", false));
        claims.putAll(changes);
        return new AttestationResult("tdx", claims);
    }

    private static String refusal(AttestationResult result, ReleasePolicy policy, ReleaseGate gate) {
        KmsError error = assertThrows(KmsError.class, () -> gate.authorize(result, policy));
        return error.getMessage();
    }

    @Test
    void boundUpToDateGuestPassesWhenThePolicyAllows() {
        assertTrue(new ReleaseGate(false).authorize(tdx(Map.of()), ANY_TDX).allowed());
    }

    @Test
    void baselineRefusesUnboundDebugAndCollateralFreeEvidence() {
        ReleaseGate gate = new ReleaseGate(false);
        assertEquals("BASELINE_REFUSED: bound", refusal(tdx(Map.of("bound", false)), ANY_TDX, gate));
        assertEquals("BASELINE_REFUSED: tdx.td_attributes.debug",
                refusal(tdx(Map.of("tdx.td_attributes.debug", true)), ANY_TDX, gate));
        assertEquals("BASELINE_REFUSED: tdx.collateral", refusal(tdx(Map.of("tdx.collateral", false)), ANY_TDX, gate));
        assertEquals("BASELINE_REFUSED: simulated", refusal(tdx(Map.of("simulated", true)), ANY_TDX, gate));
    }

    @Test
    void outOfDateTcbNeedsAPolicyThatSaysSo() {
        ReleaseGate gate = new ReleaseGate(false);
        AttestationResult outOfDate = tdx(Map.of("tdx.tcb_status", "OutOfDate"));
        assertEquals("BASELINE_REFUSED: tdx.tcb_status", refusal(outOfDate, ANY_TDX, gate));
        ReleasePolicy tolerant = ReleasePolicy.parse("""
                {"version":"1.0","allOf":[{"claim":"tdx.tcb_status","in":["UpToDate","OutOfDate"]}]}""",
                PolicyContext.production());
        assertTrue(gate.authorize(outOfDate, tolerant).allowed());
    }

    @Test
    void policyRefusalNamesTheDecidingClaimOnly() {
        ReleasePolicy policy = ReleasePolicy.parse("""
                {"version":"1.0","allOf":[{"claim":"tdx.mrtd","equals":"%s"}]}""".formatted("ab".repeat(48)),
                PolicyContext.production());
        String message = refusal(tdx(Map.of("tdx.mrtd", "cd".repeat(48))), policy, new ReleaseGate(false));
        assertEquals("POLICY_DENIED: allOf[0] tdx.mrtd equals", message);
        assertEquals(Reason.POLICY_DENIED, Reason.valueOf(message.substring(0, message.indexOf(':'))));
    }
}
