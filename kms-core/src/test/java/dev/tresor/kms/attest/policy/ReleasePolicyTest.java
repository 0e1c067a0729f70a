package dev.tresor.kms.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleasePolicyTest {
    private static final AttestationResult SNP = new AttestationResult("snp", Map.of(
            "tee", "snp", "authority", "tresor", "snp.product", "Genoa", "snp.vmpl", 0L,
            "snp.measurement", "f57dc09a507c6ecd82369bffb600f0003792f4d99bc26e985ec0c266fc34faf3706faf814c9e61065768a6ff917c89ae",
            "snp.reported_tcb.snp", 23L, "snp.policy.debug", false, "simulated", false, "bound", true));

    private static ReleasePolicy parse(String json) {
        return ReleasePolicy.parse(json, PolicyContext.production());
    }

    private static String refusal(String json) {
        KmsError error = assertThrows(KmsError.class, () -> parse(json));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        return error.getMessage();
    }

    @Test
    void allOfPassesWhenEveryConditionHolds() {
        Decision decision = parse("""
                {"version":"1.0","allOf":[{"claim":"tee","equals":"snp"},{"claim":"snp.product","equals":"Genoa"},
                 {"claim":"snp.measurement","in":["F57DC09A507C6ECD82369BFFB600F0003792F4D99BC26E985EC0C266FC34FAF3706FAF814C9E61065768A6FF917C89AE"]},
                 {"claim":"snp.vmpl","equals":0},{"claim":"snp.reported_tcb.snp","greaterOrEquals":23}]}""")
                .evaluate(SNP);
        assertTrue(decision.allowed());
    }

    @Test
    void firstFailingConditionDecidesARefusal() {
        Decision decision = parse("""
                {"version":"1.0","allOf":[{"claim":"tee","equals":"snp"},{"claim":"snp.reported_tcb.snp","greater":23},
                 {"claim":"snp.vmpl","equals":1}]}""").evaluate(SNP);
        assertFalse(decision.allowed());
        assertEquals("allOf[1] snp.reported_tcb.snp greater", decision.decidedBy());
    }

    @Test
    void anyOfIsDecidedByTheFirstConditionThatHolds() {
        Decision decision = parse("""
                {"version":"1.0","anyOf":[{"claim":"tee","equals":"tdx"},
                 {"allOf":[{"claim":"snp.product","notEquals":"Milan"},{"claim":"snp.vmpl","lessOrEquals":0}]}]}""")
                .evaluate(SNP);
        assertTrue(decision.allowed());
        assertEquals("anyOf[1].allOf[1] snp.vmpl lessOrEquals", decision.decidedBy());
    }

    @Test
    void missingClaimFailsEveryOperatorButExistsFalse() {
        assertFalse(parse("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tdx.mrtd\",\"notEquals\":\"" + "00".repeat(48)
                + "\"}]}").evaluate(SNP).allowed());
        assertFalse(parse("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.host_data\",\"exists\":true}]}")
                .evaluate(SNP).allowed());
        assertTrue(parse("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.host_data\",\"exists\":false}]}")
                .evaluate(SNP).allowed());
    }

    @Test
    void authorityLimitsAGroupToOneVerifier() {
        String json = """
                {"version":"1.0","allOf":[{"authority":"veraison-prod","allOf":[{"claim":"tee","exists":true}]}]}""";
        Decision decision = parse(json).evaluate(SNP);
        assertFalse(decision.allowed());
        assertEquals("allOf[0] authority", decision.decidedBy());
    }

    @Test
    void referenceSetsResolveWhenParsed() {
        PolicyContext context = new PolicyContext(false, Map.of("approved", List.of(22L, 23L)));
        assertTrue(ReleasePolicy.parse("""
                {"version":"1.0","allOf":[{"claim":"snp.reported_tcb.snp","in":{"ref":"approved"}}]}""", context)
                .evaluate(SNP).allowed());
        assertTrue(refusal("""
                {"version":"1.0","allOf":[{"claim":"snp.reported_tcb.snp","in":{"ref":"missing"}}]}""")
                .contains("missing"));
    }

    @Test
    void badPoliciesAreRefusedNamingTheProblem() {
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.vmpl\",\"lessThan\":1}]}")
                .contains("lessThan"));
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.measurment\",\"equals\":\"00\"}]}")
                .contains("snp.measurment"));
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.measurement\",\"equals\":\"00\"}]}")
                .contains("48 bytes"));
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.vmpl\",\"greater\":\"1\"}]}")
                .contains("integer"));
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.vmpl\",\"in\":[]}]}").contains("1 to 256"));
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"sim-snp\"}]}")
                .contains("sim-snp"));
        assertTrue(refusal("{\"version\":\"2.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"snp\"}]}").contains("1.0"));
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"snp\",\"in\":[\"x\"]}]}")
                .contains("exactly one operator"));
        String tooMany = "[" + "1,".repeat(256) + "1]";
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.vmpl\",\"in\":" + tooMany + "}]}")
                .contains("1 to 256"));
    }

    @Test
    void depthAndSizeAreLimited() {
        String inner = "{\"claim\":\"tee\",\"equals\":\"snp\"}";
        for (int i = 0; i < 8; i++) {
            inner = "{\"allOf\":[" + inner + "]}";
        }
        assertTrue(refusal("{\"version\":\"1.0\",\"allOf\":[" + inner + "]}").contains("deeper than 8"));
        String padded = "{\"version\":\"1.0\",\"allOf\":[" + (inner + ",").repeat(200) + inner + "]}";
        assertTrue(refusal(padded).contains("16384 bytes"));
    }

    @Test
    void simSnpMayBeNamedWhenSimulationIsAllowed() {
        ReleasePolicy policy = ReleasePolicy.parse("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"sim-snp\"}]}",
                new PolicyContext(true, Map.of()));
        assertTrue(policy.evaluate(new AttestationResult("sim-snp", Map.of("tee", "sim-snp"))).allowed());
        assertFalse(policy.evaluate(SNP).allowed());
    }
}
