package dev.tresor.kms.attest;

import dev.tresor.kms.service.KmsError;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Intel collateral an operator configured: sets of TCB info, QE identity and the CRLs that
 * came with them, one or more per FMSPC, plus CRLs that apply to every verification. Before a
 * TDX quote is verified, the set for its PCK's FMSPC is added to the inputs: of several, the
 * newest issued by now (so renewed collateral wins over old), else the newest. Immutable.
 */
public final class TdxCollateralStore {
    /** One PCS issue: the documents, and the root CA and PCK CRLs fetched with them. */
    public record CollateralSet(TdxCollateral collateral, List<X509CRL> crls) {
        public CollateralSet {
            Objects.requireNonNull(collateral);
            crls = List.copyOf(crls);
        }

        /** The FMSPC the TCB info is for, lower-case hex; COLLATERAL_INVALID if it does not parse. */
        public String fmspc() {
            SignedCollateral tcbInfo = SignedCollateral.parse(collateral.tcbInfoJson().toArray(), "tcbInfo");
            return HexFormat.of().formatHex(tcbInfo.hex(tcbInfo.body(), "fmspc"));
        }

        Instant issueDate() {
            return SignedCollateral.parse(collateral.tcbInfoJson().toArray(), "tcbInfo").instant("issueDate");
        }
    }

    private final Map<String, List<CollateralSet>> byFmspc;
    private final List<X509CRL> crls;

    public TdxCollateralStore(List<CollateralSet> sets, List<X509CRL> crls) {
        Map<String, List<CollateralSet>> grouped = new HashMap<>();
        for (CollateralSet set : sets) {
            grouped.computeIfAbsent(set.fmspc(), f -> new ArrayList<>()).add(set);
        }
        grouped.replaceAll((fmspc, list) -> list.stream()
                .sorted(Comparator.comparing(CollateralSet::issueDate).reversed()).toList());
        this.byFmspc = Map.copyOf(grouped);
        this.crls = List.copyOf(crls);
    }

    public static TdxCollateralStore empty() {
        return new TdxCollateralStore(List.of(), List.of());
    }

    /** How many sets are configured, for the start-up log. */
    public int size() {
        return byFmspc.values().stream().mapToInt(List::size).sum();
    }

    /** The inputs with the configured CRLs and, for a TDX quote, the collateral for its FMSPC. */
    public VerificationInputs supplement(String type, byte[] evidence, VerificationInputs inputs, Instant now) {
        VerificationInputs supplemented = inputs.withCrls(crls);
        if (!type.equals("tdx") || inputs.tdxCollateral().isPresent()) {
            return supplemented;
        }
        Optional<CollateralSet> set = fmspcOf(evidence).map(byFmspc::get).flatMap(sets -> sets.stream()
                .filter(s -> !s.issueDate().isAfter(now)).findFirst().or(() -> sets.stream().findFirst()));
        return set.map(s -> supplemented.withTdxCollateral(s.collateral()).withCrls(s.crls())).orElse(supplemented);
    }

    /** The FMSPC in the quote's PCK certificate; empty if the quote does not get that far (its verifier says why). */
    private static Optional<String> fmspcOf(byte[] quote) {
        try {
            List<X509Certificate> chain = Certificates.parse(TdxQuote.parse(quote).pckChainPem());
            return chain.stream()
                    .filter(c -> Certificates.commonName(c.getSubjectX500Principal()).equals("Intel SGX PCK Certificate"))
                    .findFirst().map(c -> HexFormat.of().formatHex(PckCertificate.read(c).fmspc()));
        } catch (KmsError unreadable) {
            return Optional.empty();
        }
    }
}
