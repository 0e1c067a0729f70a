package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Drives every evidence entry of EXPECTED.json through the verifiers at its fixed clock: valid
 * samples must verify and yield exactly the readable claims EXPECTED lists (mapped onto the
 * normalised names); invalid ones must fail for their reason. All mismatches are collected,
 * then asserted at once.
 */
class ExpectedSamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_EVIDENCE = Set.of("cert", "crl", "collateral", "key");
    private static final Map<String, Reason> NEGATIVE = Map.ofEntries(
            Map.entry("negative/snp/milan_measurement_flipped.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/snp/milan_policy_debug_cleared.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/snp/milan_report_data_flipped.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/snp/milan_reported_tcb_bumped.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/snp/milan_signature_zeroed.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/snp/milan_truncated.bin", Reason.MALFORMED),
            Map.entry("negative/snp/vcek_bad_signature_legacy.der", Reason.CHAIN_INVALID),
            Map.entry("negative/snp/vcek_bad_signature_new.der", Reason.CHAIN_INVALID),
            Map.entry("negative/tdx/dcapqvl_v4_mrtd_flipped.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/tdx/dcapqvl_v4_rtmr3_flipped.bin", Reason.SIGNATURE_INVALID),
            Map.entry("negative/tdx/dcapqvl_v4_qe_report_flipped.bin", Reason.QE_REPORT_INVALID),
            Map.entry("negative/tdx/dcapqvl_v4_truncated.bin", Reason.MALFORMED),
            Map.entry("negative/tokens/ear_alg_hs256.jwt", Reason.TOKEN_ALG_REFUSED),
            Map.entry("negative/tokens/ear_alg_none.jwt", Reason.TOKEN_ALG_REFUSED),
            Map.entry("negative/tokens/ear_empty_claims.jwt", Reason.TOKEN_CLAIMS_INVALID),
            Map.entry("negative/tokens/ear_leading_dot.jwt", Reason.TOKEN_MALFORMED),
            Map.entry("negative/tokens/ear_payload_tampered.jwt", Reason.SIGNATURE_INVALID),
            Map.entry("negative/tokens/ear_trailing_rubbish.jwt", Reason.TOKEN_MALFORMED),
            Map.entry("negative/tokens/ear_wrong_embedded_jwk.jwt", Reason.SIGNATURE_INVALID),
            Map.entry("negative/tpm/azure_hcl_runtime_data_tampered.bin", Reason.AK_UNTRUSTED),
            Map.entry("negative/tpm/gce_quote_sha256_nonce_altered.attest", Reason.SIGNATURE_INVALID),
            Map.entry("tdx/dcapqvl-v5-outdated/quote.bin", Reason.TCB_NOT_SUPPORTED),
            Map.entry("tdx/gotdx-v4-spr/quote.bin", Reason.TCB_NOT_SUPPORTED));
    /** EXPECTED keys that are not claims, each with why it is not compared. */
    private static final Map<String, String> NOT_CLAIMS = Map.ofEntries(
            Map.entry("raw", "the TCB's raw u64; its components are compared"),
            Map.entry("reserved_bit17", "checked as structure: a report without it is MALFORMED"),
            Map.entry("signature_algo", "checked as structure: only 1 (ECDSA P-384) parses"),
            Map.entry("id_block_used", "derived from id_key_digest, which is compared"),
            Map.entry("tee_type", "checked as structure"), Map.entry("att_key_type", "checked as structure"),
            Map.entry("qe_vendor_id", "checked as structure"), Map.entry("raw_le", "td_attributes is compared"),
            Map.entry("pck_sgx_tcb_comp_svn", "PCK input to the TCB level match, not a claim"),
            Map.entry("pck_leaf", "certificate details, checked by the chain"),
            Map.entry("signed_length", "structure"), Map.entry("file_length", "structure"),
            Map.entry("all_zero", "trailing bytes are counted, not read"), Map.entry("magic", "structure"),
            Map.entry("type", "structure"), Map.entry("pcr_digest", "recomputed: a mismatch fails the quote"),
            Map.entry("all_pcrs_zero", "PCR values are claims one by one"),
            Map.entry("protobuf_fields", "structure"), Map.entry("quotes", "every quote is verified or the call fails"),
            Map.entry("keys", "HCLAkPub is used as the AK; the key list is no claim"),
            Map.entry("user_data", "runtime data detail, not a claim"),
            Map.entry("nonce_equals_user_data_prefix", "the nonce is compared through tpm.nonce"),
            Map.entry("nonce_ascii", "tpm.nonce is compared as hex"), Map.entry("header", "JOSE header, not claims"));

    /**
     * EXPECTED's verify_at for the CoCo RS384 token (07:00:00Z) lies after the token's own exp
     * (1701672965 = 06:56:05Z, nbf 06:51:05Z); no verifier can accept it there, so it is checked
     * inside its validity window instead (and TokenVerifierTest covers expiry).
     */
    private static final Map<String, String> CLOCK_ERRATA = Map.of(
            "tokens/trustee/coco_as_rs384.jwt", "2023-12-04T06:55:00Z");

    private final List<String> mismatches = new ArrayList<>();
    private final List<String> outcomes = new ArrayList<>();

    @Test
    void everyEvidenceSampleMeetsItsExpectation() throws Exception {
        JsonNode expected = JSON.readTree(TestData.read("EXPECTED.json"));
        int evidence = 0;
        for (JsonNode entry : expected.path("entries")) {
            String file = entry.path("file").asText();
            String kind = entry.path("kind").asText();
            boolean negativeCertificate = NEGATIVE.containsKey(file) && kind.equals("cert");
            if (!negativeCertificate && (NOT_EVIDENCE.contains(kind) || file.endsWith(".sig")
                    || entry.path("expect").path("result").asText().equals("n/a"))) {
                continue;
            }
            evidence++;
            check(entry, file);
        }
        outcomes.forEach(System.out::println);
        assertTrue(evidence >= 40, "only " + evidence + " evidence entries found");
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    private void check(JsonNode entry, String file) {
        Sample sample;
        try {
            sample = assemble(entry, file);
        } catch (Exception e) {
            mismatches.add(file + ": cannot assemble: " + e);
            return;
        }
        Reason negative = NEGATIVE.get(file);
        String result = entry.path("expect").path("result").asText();
        if (result.equals("invalid") && negative == null && !file.equals("tdx/trustee-v4-6/quote.bin")) {
            mismatches.add(file + ": invalid in EXPECTED but no reason is known for it");
            return;
        }
        try {
            AttestationResult verdict = sample.verify();
            if (negative != null) {
                mismatches.add(file + ": verified but must fail with " + negative);
                return;
            }
            outcomes.add("verifies  " + file + " (" + verdict.tee() + ")");
            compare(file, expectations(entry), verdict.claims());
        } catch (KmsError e) {
            Reason reason = Reason.of(e).orElse(null);
            if (reason != negative) {
                mismatches.add(file + ": expected " + (negative == null ? "success" : negative) + " but " + e.getMessage());
                return;
            }
            outcomes.add("refused   " + file + " (" + e.getMessage() + ")");
            if (reason == Reason.TCB_NOT_SUPPORTED) {
                compare(file, expectations(entry), sample.withoutCollateral().verify().claims());
            }
        }
    }

    /** How one sample is verified: its type, bytes, trust, inputs and clock. */
    private record Sample(String type, Bytes evidence, AttestationTrust trust, VerificationInputs inputs, Clock clock) {
        AttestationResult verify() {
            return new AttestationVerifiers(trust, clock).verify(type, evidence.toArray(), inputs);
        }

        Sample withoutCollateral() {
            VerificationInputs bare = VerificationInputs.none().withCertificates(inputs.certificates()).withSignaturesOnly();
            return new Sample(type, evidence, trust, bare, clock);
        }
    }

    private Sample assemble(JsonNode entry, String file) throws Exception {
        JsonNode expect = entry.path("expect");
        Optional<byte[]> nonce = expect.has("expected_nonce_hex")
                ? Optional.of(HexFormat.of().parseHex(expect.get("expected_nonce_hex").asText())) : Optional.empty();
        Clock snpClock = TestData.at(expect.path("verify_at").asText("2025-06-01T00:00:00Z"));
        VerificationInputs base = nonce.map(n -> VerificationInputs.none().withExpectedReportData(n))
                .orElse(VerificationInputs.none());
        AttestationTrust trust = AttestationTrust.defaults();
        if (file.startsWith("snp/")) {
            return new Sample("snp", Bytes.of(TestData.read(file)), trust, base.withCertificates(chain(entry)), snpClock);
        }
        if (file.startsWith("negative/snp/milan_")) {
            return new Sample("snp", Bytes.of(TestData.read(file)), trust, base.withCertificates(
                    TestData.certs("snp/milan-gosevguest/vcek.der", "snp/roots/milan_ask_ark.pem")), snpClock);
        }
        if (file.startsWith("negative/snp/vcek_")) {
            return new Sample("snp", Bytes.of(TestData.read("snp/milan-gosevguest/report.bin")), trust,
                    base.withCertificates(TestData.certs(file, "snp/roots/milan_ask_ark.pem")), snpClock);
        }
        if (file.equals("tpm/azure-snp-vtpm-milan/hcl_report.bin") || file.equals("tpm/azure-snp-vtpm-milan/tpm_quote.json")
                || file.equals("negative/tpm/azure_hcl_runtime_data_tampered.bin")) {
            String hcl = file.endsWith(".json") ? "tpm/azure-snp-vtpm-milan/hcl_report.bin" : file;
            byte[] evidence = AzureVtpmVerifierTest.v1Evidence(hcl, "tpm/azure-snp-vtpm-milan/tpm_quote.json",
                    "tpm/azure-snp-vtpm-milan/vcek_chain.pem");
            VerificationInputs inputs = VerificationInputs.none().withCertificates(TestData.certs("snp/roots/milan_ask_ark.pem"))
                    .withExpectedReportData(HexFormat.of().parseHex("6368616c6c656e6765"));
            return new Sample("az-snp-vtpm", Bytes.of(evidence), trust, inputs, TestData.SNP_CLOCK);
        }
        if (file.endsWith("evidence.json") && file.startsWith("tpm/azure")) {
            return new Sample("az-snp-vtpm", Bytes.of(TestData.read(file)), trust, base.withCertificates(chain(entry)),
                    snpClock);
        }
        if (file.startsWith("tdx/azure-tdx-vtpm/")) {
            Clock clock = TestData.at("2025-07-01T00:00:00Z");
            if (file.endsWith("td_quote.bin")) {
                return new Sample("tdx", Bytes.of(TestData.read(file)), trust, base.withSignaturesOnly(), clock);
            }
            ObjectNode root = JSON.createObjectNode()
                    .put("hcl_report", Base64.getUrlEncoder().encodeToString(TestData.read("tdx/azure-tdx-vtpm/hcl_report.bin")))
                    .put("td_quote", Base64.getUrlEncoder().encodeToString(TestData.read("tdx/azure-tdx-vtpm/td_quote.bin")));
            root.set("tpm_quote", JSON.readTree(TestData.read(file)));
            VerificationInputs inputs = VerificationInputs.none().withSignaturesOnly()
                    .withExpectedReportData(HexFormat.of().parseHex(entry.path("claims").path("nonce_hex").asText()));
            return new Sample("az-tdx-vtpm", Bytes.of(JSON.writeValueAsBytes(root)), trust, inputs, clock);
        }
        if (file.startsWith("tdx/") || file.startsWith("negative/tdx/")) {
            Clock clock = TestData.at(expect.path("verify_at").asText("2025-07-01T00:00:00Z"));
            VerificationInputs inputs = tdxCollateral(entry.path("collateral"), file.startsWith("negative/"));
            return new Sample("tdx", Bytes.of(TestData.read(file)), trust, inputs, clock);
        }
        if (file.endsWith(".pb")) {
            AttestationTrust gce = trust.withTpmCas(TestData.certs("tpm/gce-roots/tpm_ek_root_1.der"),
                    TestData.certs("tpm/gce-roots/tpm_ek_intermediate_2.der"));
            return new Sample("tpm", Bytes.of(TestData.read(file)), gce, base, snpClock);
        }
        if (file.endsWith(".attest")) {
            String folder = file.startsWith("negative/") ? "tpm/gce-cos85-nonce9009/" : file.substring(0, file.lastIndexOf('/') + 1);
            String bank = file.substring(file.lastIndexOf("quote_sha") + 6, file.indexOf('.', file.lastIndexOf("quote_sha")));
            bank = bank.replace("_nonce_altered", "");
            PublicKey ak = TpmPublic.parse(TestData.read(folder + "ak_pub.tpmt"));
            byte[] evidence = TpmQuoteVerifierTest.trusteeJson(ak, file, folder + "quote_" + bank + ".sig",
                    folder + "pcrs_" + bank + ".json");
            return new Sample("tpm", Bytes.of(evidence), trust, base.withRegisteredAk(ak), snpClock);
        }
        if (file.equals("tpm/trustee-tpm/tpm_evidence.json")) {
            return new Sample("tpm", Bytes.of(TestData.read(file)), trust,
                    base.withRegisteredAk(TpmQuoteVerifierTest.trusteeAk()), snpClock);
        }
        if (entry.path("kind").asText().equals("token")) {
            return new Sample("token", Bytes.of(TestData.read(file)), trust.withTokenIssuers(List.of(issuer(entry))),
                    base, TestData.at(CLOCK_ERRATA.getOrDefault(file, expect.path("verify_at").asText("2025-06-01T00:00:00Z"))));
        }
        throw new IllegalStateException("no way to verify " + file);
    }

    /** The issuer EXPECTED names: the veraison test key, or the key the token carries where that is its only anchor. */
    private static TokenIssuer issuer(JsonNode entry) {
        String chain = entry.path("chain").path(0).asText();
        JsonNode header = entry.path("claims").path("header");
        PublicKey key = switch (chain) {
            case "(header jwk)" -> Jwk.toPublicKey(header.path("jwk"));
            case "(payload jwk)" -> Jwk.toPublicKey(entry.path("claims").path("payload").path("jwk"));
            default -> TokenVerifierTest.veraisonKey();
        };
        return new TokenIssuer("expected", Optional.empty(), List.of(key), TokenIssuer.SUPPORTED_ALGORITHMS,
                Optional.empty(), chain.equals("tokens/ear/veraison_test_key.jwk.json"));
    }

    private static List<java.security.cert.X509Certificate> chain(JsonNode entry) {
        List<String> files = new ArrayList<>();
        entry.path("chain").forEach(c -> {
            if (!c.asText().startsWith("(")) {
                files.add(c.asText());
            }
        });
        return TestData.certs(files.toArray(String[]::new));
    }

    private static VerificationInputs tdxCollateral(JsonNode collateral, boolean negative) {
        if (negative) {
            return TdxVerifierTest.collateral(TdxVerifierTest.DCAP_2025, TdxVerifierTest.CHAIN_2025);
        }
        String tcbInfo = null;
        String qeIdentity = null;
        String signing = null;
        List<java.security.cert.X509CRL> crls = new ArrayList<>();
        for (JsonNode item : collateral) {
            String path = item.asText();
            if (path.endsWith("tcb_info.json")) {
                tcbInfo = path;
            } else if (path.endsWith("qe_identity.json")) {
                qeIdentity = path;
            } else if (path.endsWith(".pem")) {
                signing = path;
            } else if (path.endsWith(".der")) {
                crls.add(Certificates.parseCrl(TestData.read(path)));
            }
        }
        if (tcbInfo == null) {
            return VerificationInputs.none().withSignaturesOnly();
        }
        return TdxVerifierTest.collateral(tcbInfo, qeIdentity, signing).withCrls(crls);
    }

    /** One expected claim: an exact value, a prefix of the value, or mere presence. */
    private record Expected(Object value, boolean prefix) {
    }

    private Map<String, Expected> expectations(JsonNode entry) {
        Map<String, Expected> out = new LinkedHashMap<>();
        JsonNode claims = entry.path("claims");
        String kind = entry.path("kind").asText();
        String file = entry.path("file").asText();
        if (kind.equals("token")) {
            flatten(claims.path("payload"), "token.", out);
            return out;
        }
        if (kind.equals("tdx-quote")) {
            tdx(entry, out);
            return out;
        }
        if (claims.has("snp")) {
            snp(claims.path("snp"), out);
            claims.path("runtime_data").path("vm_configuration").properties().forEach(e -> out.put(
                    "az.vm_configuration." + e.getKey(), new Expected(scalar(e.getValue()), false)));
            tpm(claims.path("tpm_quote"), out);
            ignoreRest(claims, Set.of("snp", "runtime_data", "tpm_quote"), file);
            return out;
        }
        if (kind.equals("snp-report")) {
            snp(claims, out);
            return out;
        }
        tpm(claims, out);
        if (file.endsWith(".pb")) {
            out.put("bound", exact(entry.path("expect").has("expected_nonce_hex")));
        }
        return out;
    }

    private void snp(JsonNode claims, Map<String, Expected> out) {
        for (var e : claims.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            switch (key) {
                case "policy", "platform_info" -> out.put("snp." + key, exact(Long.parseLong(value.asText().substring(2), 16)));
                case "policy_decoded" -> value.properties().forEach(p -> {
                    String name = switch (p.getKey()) {
                        case "smt_allowed" -> "smt";
                        case "debug_allowed" -> "debug";
                        default -> p.getKey();
                    };
                    if (!NOT_CLAIMS.containsKey(p.getKey())) {
                        out.put("snp.policy." + name, exact(scalar(p.getValue())));
                    }
                });
                case "current_tcb", "reported_tcb", "committed_tcb", "launch_tcb" -> value.properties().forEach(p -> {
                    if (!NOT_CLAIMS.containsKey(p.getKey())) {
                        out.put("snp." + key + "." + p.getKey(), exact(scalar(p.getValue())));
                    }
                });
                case "firmware_current" -> {
                    String[] parts = value.asText().split("\\.");
                    out.put("snp.firmware.major", exact(Long.parseLong(parts[0])));
                    out.put("snp.firmware.minor", exact(Long.parseLong(parts[1])));
                    out.put("snp.firmware.build", exact(Long.parseLong(parts[2])));
                }
                case "cpuid" -> value.properties().forEach(p -> out.put("snp.cpuid." + p.getKey(), exact(scalar(p.getValue()))));
                case "chip_id_prefix" -> out.put("snp.chip_id", new Expected(value.asText(), true));
                default -> {
                    if (!NOT_CLAIMS.containsKey(key)) {
                        out.putIfAbsent("snp." + key, exact(scalar(value)));
                    }
                }
            }
        }
    }

    private void tdx(JsonNode entry, Map<String, Expected> out) {
        for (var e : entry.path("claims").properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            switch (key) {
                case "body_type" -> out.put("tdx.body", exact(value.asText().replace("(v4)", "")));
                case "td_attributes_decoded" -> value.properties().forEach(p -> {
                    if (!NOT_CLAIMS.containsKey(p.getKey())) {
                        out.put("tdx.td_attributes." + p.getKey(), exact(scalar(p.getValue())));
                    }
                });
                case "pck_pcesvn" -> out.put("tdx.pce_svn", exact(scalar(value)));
                case "qe_report" -> value.properties().forEach(p -> out.put("tdx.qe." + p.getKey(), exact(scalar(p.getValue()))));
                case "trailing_bytes" -> out.put("tdx.trailing_bytes", exact(scalar(value.path("count"))));
                default -> {
                    if (!NOT_CLAIMS.containsKey(key)) {
                        out.put("tdx." + key, exact(scalar(value)));
                    }
                }
            }
        }
        String status = entry.path("expect").path("tcb_status").asText("");
        if (!status.isEmpty() && !status.equals("NOT_SUPPORTED")) {
            JsonNode checks = entry.path("checks");
            out.put("tdx.tcb_status", exact(status));
            out.put("tdx.tcb_status.platform", exact(checks.path("tcb_evaluation").path("platform_tcb_status").asText()));
            JsonNode module = checks.path("tcb_evaluation").path("tdx_module_identity");
            if (module.has("status")) {
                out.put("tdx.tcb_status.module", exact(module.path("status").asText()));
            }
            out.put("tdx.tcb_date", exact(checks.path("tcb_evaluation").path("tcbDate").asText()));
            out.put("tdx.tcb_status.qe", exact(checks.path("qe_identity").path("qe_tcb_status").asText()));
            out.put("tdx.collateral", exact(true));
        }
    }

    private void tpm(JsonNode claims, Map<String, Expected> out) {
        for (var e : claims.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            switch (key) {
                case "nonce_hex" -> out.put("tpm.nonce", exact(value.asText()));
                case "firmware_version" -> out.put("tpm.firmware_version", exact(Long.parseUnsignedLong(value.asText().substring(2), 16)));
                case "pcr_selection" -> value.forEach(bank -> bank.path("pcrs").forEach(index -> out.put(
                        bank.path("hash_alg").asText().equals("sha256") ? "tpm.pcr." + index.asInt()
                                : "tpm.pcr." + bank.path("hash_alg").asText() + "." + index.asInt(),
                        new Expected("", true))));
                case "clock", "reset_count", "restart_count", "qualified_signer" -> out.put("tpm." + key, exact(scalar(value)));
                default -> {
                    if (!NOT_CLAIMS.containsKey(key)) {
                        mismatches.add("unmapped EXPECTED TPM claim " + key);
                    }
                }
            }
        }
    }

    private void ignoreRest(JsonNode claims, Set<String> handled, String file) {
        claims.fieldNames().forEachRemaining(name -> {
            if (!handled.contains(name) && !NOT_CLAIMS.containsKey(name)) {
                mismatches.add(file + ": unmapped EXPECTED claim " + name);
            }
        });
    }

    private static void flatten(JsonNode node, String name, Map<String, Expected> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(e.getValue(),
                    (name.endsWith(".") ? name : name + "/") + e.getKey().replace("~", "~0").replace("/", "~1"), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), name + "/" + i, out);
            }
        } else if (!node.isNull()) {
            out.put(name, exact(scalar(node)));
        }
    }

    private static Expected exact(Object value) {
        return new Expected(value, false);
    }

    private static Object scalar(JsonNode value) {
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isNumber()) {
            return value.asLong();
        }
        return value.asText();
    }

    private void compare(String file, Map<String, Expected> expected, Map<String, Object> actual) {
        expected.forEach((name, want) -> {
            Object got = actual.get(name);
            boolean ok;
            if (got == null) {
                ok = false;
            } else if (want.prefix()) {
                ok = String.valueOf(got).toLowerCase(Locale.ROOT).startsWith(String.valueOf(want.value()).toLowerCase(Locale.ROOT));
            } else if (want.value() instanceof String s && got instanceof String g) {
                ok = s.equalsIgnoreCase(g);
            } else {
                ok = want.value().equals(got);
            }
            if (!ok) {
                mismatches.add(file + ": " + name + " expected " + want.value() + " but was " + got);
            }
        });
        if (expected.isEmpty()) {
            mismatches.add(file + ": no claims to compare");
        }
    }
}
