package dev.tresor.kms.attest.policy;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.Reason;
import java.util.Map;

/**
 * The release decision: the fixed baseline guard AND the key's policy. The baseline refuses
 * unbound evidence, debug guests, TDX without collateral, a TDX TCB other than UpToDate unless
 * the policy itself constrains {@code tdx.tcb_status}, and simulated evidence unless allowed.
 * A refusal names the deciding claim, never the value a policy wanted.
 */
public final class ReleaseGate {
    private final boolean simulationAllowed;

    public ReleaseGate(boolean simulationAllowed) {
        this.simulationAllowed = simulationAllowed;
    }

    /** Returns the policy's decision when release is allowed; otherwise refuses. */
    public Decision authorize(AttestationResult result, ReleasePolicy policy) {
        Map<String, Object> claims = result.claims();
        if (!Boolean.TRUE.equals(claims.get("bound"))) {
            throw Reason.BASELINE_REFUSED.error("bound");
        }
        for (String debug : new String[] {"snp.policy.debug", "tdx.td_attributes.debug"}) {
            if (Boolean.TRUE.equals(claims.get(debug))) {
                throw Reason.BASELINE_REFUSED.error(debug);
            }
        }
        if (claims.containsKey("tdx.version")) {
            if (!Boolean.TRUE.equals(claims.get("tdx.collateral"))) {
                throw Reason.BASELINE_REFUSED.error("tdx.collateral");
            }
            Object status = claims.get("tdx.tcb_status");
            if ("Revoked".equals(status) || !"UpToDate".equals(status) && !policy.constrains("tdx.tcb_status")) {
                throw Reason.BASELINE_REFUSED.error("tdx.tcb_status");
            }
        }
        if (!Boolean.FALSE.equals(claims.get("simulated")) && !simulationAllowed) {
            throw Reason.BASELINE_REFUSED.error("simulated");
        }
        Decision decision = policy.evaluate(result);
        if (!decision.allowed()) {
            throw Reason.POLICY_DENIED.error(decision.decidedBy());
        }
        return decision;
    }
}
