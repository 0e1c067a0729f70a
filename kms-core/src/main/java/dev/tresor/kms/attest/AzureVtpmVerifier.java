package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Verifies Azure confidential-VM vTPM evidence: the hardware report inside the HCL report (SNP
 * through {@link SnpVerifier}; TDX through the separate TD quote and {@link TdxVerifier}) binds
 * the runtime-data JSON by its hash; that JSON names the vTPM attestation key {@code HCLAkPub};
 * the key signs the TPM quote, whose extraData carries the binding. Accepts Trustee's JSON
 * forms: {@code {"quote", "report", "vcek"}} (v0), {@code {"version", "hcl_report", "tpm_quote",
 * "vcek"}} (v1) and, for TDX, {@code {"hcl_report", "td_quote", "tpm_quote"}}.
 */
public final class AzureVtpmVerifier implements EvidenceVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SnpVerifier snp;
    private final TdxVerifier tdx;
    private final String tee;

    private AzureVtpmVerifier(SnpVerifier snp, TdxVerifier tdx, String tee) {
        this.snp = snp;
        this.tdx = tdx;
        this.tee = tee;
    }

    public static AzureVtpmVerifier snp(SnpVerifier snp) {
        return new AzureVtpmVerifier(Objects.requireNonNull(snp), null, "az-snp-vtpm");
    }

    public static AzureVtpmVerifier tdx(TdxVerifier tdx) {
        return new AzureVtpmVerifier(null, Objects.requireNonNull(tdx), "az-tdx-vtpm");
    }

    @Override
    public AttestationResult verify(byte[] evidence, VerificationInputs inputs) {
        JsonNode root;
        try {
            root = JSON.readTree(evidence);
        } catch (IOException e) {
            throw Reason.MALFORMED.error("Azure vTPM evidence is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw Reason.MALFORMED.error("Azure vTPM evidence is not a JSON object");
        }
        HclReport hcl = HclReport.parse(bytes(root, root.has("hcl_report") ? "hcl_report" : "report"));
        VerificationInputs unbound = inputs.withoutExpectedReportData();
        Claims claims;
        byte[] reportData;
        if (snp != null) {
            if (hcl.reportType() != HclReport.SNP) {
                throw Reason.UNSUPPORTED_FORMAT.error("HCL report does not hold an SNP report");
            }
            List<X509Certificate> vcek = root.has("vcek")
                    ? Certificates.parse(bytes(root, "vcek")) : List.of();
            byte[] report = hcl.hardwareReport();
            claims = snp.verifyReport(report, unbound.withCertificates(vcek));
            if (!Long.valueOf(0).equals(claims.asMap().get("snp.vmpl"))) {
                throw Reason.AK_UNTRUSTED.error("HCL report was not produced at VMPL 0");
            }
            reportData = Arrays.copyOfRange(report, 0x50, 0x90);
        } else {
            if (hcl.reportType() != HclReport.TDX) {
                throw Reason.UNSUPPORTED_FORMAT.error("HCL report does not hold a TD report");
            }
            byte[] quote = bytes(root, "td_quote");
            claims = tdx.verifyQuote(quote, unbound);
            reportData = HexFormat.of().parseHex((String) claims.asMap().get("tdx.report_data"));
        }
        byte[] hash = hcl.runtimeDataHash();
        if (!MessageDigest.isEqual(hash, Arrays.copyOf(reportData, hash.length))) {
            throw Reason.AK_UNTRUSTED.error("HCL runtime data is not bound to the hardware report");
        }
        JsonNode runtime = runtimeJson(hcl);
        PublicKey ak = attestationKey(runtime);
        JsonNode tpm = root.has("tpm_quote") ? root.get("tpm_quote") : root.path("quote");
        List<byte[]> pcrs = new ArrayList<>();
        tpm.path("pcrs").forEach(v -> pcrs.add(bytes(v, "pcrs")));
        TpmQuote quote = TpmQuote.ofSingleBank(bytes(tpm, "message"),
                TpmSignature.rsaPkcs1(TpmAlgorithm.SHA256, bytes(tpm, "signature")), pcrs);
        boolean bound = TpmQuoteVerifier.verifyQuote(ak, quote, inputs, claims);
        runtime.path("vm-configuration").properties().forEach(e -> putScalar(claims,
                "az.vm_configuration." + e.getKey(), e.getValue()));
        Map<String, Object> all = claims.put("tee", tee).put("bound", bound).asMap();
        return new AttestationResult(tee, all);
    }

    private static JsonNode runtimeJson(HclReport hcl) {
        try {
            return JSON.readTree(new String(hcl.runtimeData(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Reason.MALFORMED.error("HCL runtime data is not JSON");
        }
    }

    private static PublicKey attestationKey(JsonNode runtime) {
        for (JsonNode key : runtime.path("keys")) {
            if (key.path("kid").asText().equals("HCLAkPub")) {
                return Jwk.toPublicKey(key);
            }
        }
        throw Reason.AK_UNTRUSTED.error("HCL runtime data names no HCLAkPub");
    }

    private static void putScalar(Claims claims, String name, JsonNode value) {
        if (value.isBoolean()) {
            claims.put(name, value.asBoolean());
        } else if (value.isIntegralNumber()) {
            claims.put(name, value.asLong());
        } else if (value.isValueNode()) {
            claims.put(name, value.asText());
        }
    }

    /** A byte field as Trustee serialises it: a JSON array of numbers, hex, base64url, base64 or PEM. */
    private static byte[] bytes(JsonNode parent, String field) {
        JsonNode node = parent.isTextual() || parent.isArray() ? parent : parent.get(field);
        if (node == null) {
            throw Reason.MALFORMED.error("Azure vTPM evidence lacks " + field);
        }
        if (node.isArray()) {
            byte[] out = new byte[node.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) node.get(i).asInt();
            }
            return out;
        }
        String text = node.asText().strip();
        if (text.startsWith("-----BEGIN")) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            if (text.length() % 2 == 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return HexFormat.of().parseHex(text);
            }
            String unpadded = text.replace("=", "").replace('+', '-').replace('/', '_');
            return Base64.getUrlDecoder().decode(unpadded);
        } catch (IllegalArgumentException e) {
            throw Reason.MALFORMED.error("Azure vTPM evidence field " + field + " is not encoded bytes");
        }
    }
}
