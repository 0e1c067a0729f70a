package dev.tresor.kms.attest;

import dev.tresor.kms.service.Bytes;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * Intel PCS collateral for one FMSPC, exactly as served: the TCB info and QE identity documents
 * (their signatures cover the raw bytes of the inner object, so they are kept unparsed) and
 * the TCB Signing chain that signed them. CRLs travel in {@link VerificationInputs#crls()}.
 */
public record TdxCollateral(Bytes tcbInfoJson, Bytes qeIdentityJson, List<X509Certificate> tcbSigningChain) {
    public TdxCollateral {
        Objects.requireNonNull(tcbInfoJson);
        Objects.requireNonNull(qeIdentityJson);
        tcbSigningChain = List.copyOf(tcbSigningChain);
    }
}
