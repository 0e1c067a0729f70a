package dev.tresor.kms.attest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What {@code tresor attest verify} runs: reads the evidence and the operator's chain and
 * collateral files, verifies offline at a chosen time and answers the verdict with the
 * normalised claims as JSON. Exit status 0 = verified, 1 = refused, 2 = bad options or files.
 */
public final class AttestCommandSupport {
    public static final int VERIFIED = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private AttestCommandSupport() {
    }

    /**
     * @param chain         certificates, CRLs, TPM AK public keys ({@code .tpmt}, PEM/DER SPKI) or
     *                      token issuer JWKs / JWK sets, by type
     * @param collateral    a folder with {@code tcb_info.json}, {@code qe_identity.json}, CRLs
     *                      ({@code *.der}) and TCB Signing certificates ({@code *.pem})
     * @param reportData    the expected binding, if the operator knows it
     * @param signaturesOnly TDX: verify signatures and chains although no collateral is given
     * @param eventLog      a TCG event log (TDX CCEL or TPM) to replay against RTMRs or PCRs
     */
    public record Options(String type, Path evidence, List<Path> chain, Optional<Path> collateral,
                          Optional<Instant> at, Optional<Bytes> reportData, boolean signaturesOnly,
                          Optional<Path> eventLog) {
        public Options {
            chain = List.copyOf(chain);
        }

        /** {@code --type T --evidence FILE [--chain FILE[,FILE]]... [--collateral DIR] [--at TIME]
         * [--report-data HEX] [--event-log FILE] [--signatures-only]}. */
        public static Options parse(List<String> args) {
            String type = null;
            Path evidence = null;
            List<Path> chain = new ArrayList<>();
            Optional<Path> collateral = Optional.empty();
            Optional<Instant> at = Optional.empty();
            Optional<Bytes> reportData = Optional.empty();
            boolean signaturesOnly = false;
            Optional<Path> eventLog = Optional.empty();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--signatures-only")) {
                    signaturesOnly = true;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw KmsError.invalid(arg + " needs a value");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--type" -> type = value;
                    case "--evidence" -> evidence = Path.of(value);
                    case "--chain" -> Stream.of(value.split(",")).map(Path::of).forEach(chain::add);
                    case "--collateral" -> collateral = Optional.of(Path.of(value));
                    case "--at" -> at = Optional.of(instant(value));
                    case "--report-data" -> reportData = Optional.of(Bytes.of(hex(value)));
                    case "--event-log" -> eventLog = Optional.of(Path.of(value));
                    default -> throw KmsError.invalid("unknown option " + arg);
                }
            }
            if (type == null || evidence == null) {
                throw KmsError.invalid("--type and --evidence are required");
            }
            return new Options(type, evidence, chain, collateral, at, reportData, signaturesOnly, eventLog);
        }

        private static Instant instant(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw KmsError.invalid("--at must be an ISO-8601 instant such as 2025-06-01T00:00:00Z");
            }
        }

        private static byte[] hex(String value) {
            try {
                return HexFormat.of().parseHex(value);
            } catch (IllegalArgumentException e) {
                throw KmsError.invalid("--report-data must be hex");
            }
        }
    }

    /** The command's answer: the exit status and the JSON to print. */
    public record Outcome(int exitStatus, String json) {
    }

    /** Parses the arguments and runs; never throws for bad input, it answers exit status 2. */
    public static Outcome run(List<String> args, Clock clock) {
        try {
            return run(Options.parse(args), clock);
        } catch (KmsError e) {
            return error(e.getMessage());
        }
    }

    /** One verification with everything read and parsed up front, to run again and again (benchmarks). */
    public record Prepared(String type, byte[] evidence, AttestationVerifiers verifiers, VerificationInputs inputs,
                           Clock clock) {
        public AttestationResult verify() {
            return verifiers.verify(type, evidence, inputs);
        }
    }

    /** Reads the files the options name; a bad file is a KmsError. */
    public static Prepared prepare(Options options, Clock clock) {
        Clock at = options.at().map(t -> Clock.fixed(t, ZoneOffset.UTC)).orElse(clock);
        Material material = load(options);
        return new Prepared(options.type(), read(options.evidence()), new AttestationVerifiers(material.trust, at),
                material.inputs, at);
    }

    public static Outcome run(Options options, Clock clock) {
        ObjectNode out = JSON.createObjectNode().put("type", options.type());
        try {
            Prepared prepared = prepare(options, clock);
            AttestationResult result = prepared.verify();
            out.put("verdict", "verified").put("tee", result.tee())
                    .put("verified_at", prepared.clock().instant().toString());
            out.set("claims", JSON.valueToTree(new TreeMap<>(result.claims())));
            return new Outcome(VERIFIED, write(out));
        } catch (KmsError e) {
            Optional<Reason> reason = Reason.of(e);
            if (reason.isEmpty() || e.code() != ErrorCode.ATTESTATION_FAILED) {
                return error(e.getMessage());
            }
            out.put("verdict", "refused").put("reason", reason.get().name()).put("detail", e.getMessage());
            return new Outcome(REFUSED, write(out));
        }
    }

    private static Outcome error(String detail) {
        return new Outcome(USAGE, write(JSON.createObjectNode().put("verdict", "error").put("detail", detail)));
    }

    private record Material(AttestationTrust trust, VerificationInputs inputs) {
    }

    private static Material load(Options options) {
        AttestationTrust trust = AttestationTrust.defaults();
        VerificationInputs inputs = VerificationInputs.none();
        List<X509Certificate> certificates = new ArrayList<>();
        List<X509CRL> crls = new ArrayList<>();
        List<PublicKey> jwks = new ArrayList<>();
        for (Path file : options.chain()) {
            byte[] bytes = read(file);
            String name = file.getFileName().toString();
            if (name.endsWith(".tpmt")) {
                inputs = inputs.withRegisteredAk(TpmPublic.parse(bytes));
            } else if (name.endsWith(".json") || name.endsWith(".jwk")) {
                jwks.addAll(TrustFiles.jwks(file));
            } else if (new String(bytes, StandardCharsets.US_ASCII).contains("PUBLIC KEY-----")) {
                inputs = inputs.withRegisteredAk(spki(bytes, file));
            } else if (isCrl(bytes)) {
                crls.add(Certificates.parseCrl(bytes));
            } else {
                certificates.addAll(Certificates.parse(bytes));
            }
        }
        List<X509Certificate> roots = certificates.stream()
                .filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
        List<X509Certificate> issued = certificates.stream().filter(c -> !roots.contains(c)).toList();
        trust = trust.withTpmCas(roots, issued).withIntelCertificates(certificates);
        if (!jwks.isEmpty()) {
            trust = trust.withTokenIssuers(List.of(new TokenIssuer("cli", Optional.empty(), jwks,
                    TokenIssuer.SUPPORTED_ALGORITHMS, Optional.of("/eat_nonce"), false)));
        }
        inputs = inputs.withCertificates(certificates).withCrls(crls);
        if (options.collateral().isPresent()) {
            TdxCollateralStore.CollateralSet set = TrustFiles.collateralSet(options.collateral().get());
            List<X509Certificate> signing = new ArrayList<>(set.collateral().tcbSigningChain());
            signing.addAll(certificates);
            inputs = inputs.withCrls(set.crls()).withTdxCollateral(new TdxCollateral(set.collateral().tcbInfoJson(),
                    set.collateral().qeIdentityJson(), signing));
        }
        if (options.eventLog().isPresent()) {
            inputs = inputs.withEventLog(read(options.eventLog().get()));
        }
        if (options.signaturesOnly()) {
            inputs = inputs.withSignaturesOnly();
        }
        if (options.reportData().isPresent()) {
            inputs = inputs.withExpectedReportData(options.reportData().get().toArray());
        }
        return new Material(trust, inputs);
    }

    private static boolean isCrl(byte[] bytes) {
        try {
            Certificates.parseCrl(bytes);
            return true;
        } catch (KmsError e) {
            return false;
        }
    }

    private static PublicKey spki(byte[] pem, Path file) {
        String body = new String(pem, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            for (String algorithm : List.of("RSA", "EC")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    // try the next key type
                }
            }
        } catch (IllegalArgumentException e) {
            throw KmsError.invalid(file + " is not a PEM public key");
        }
        throw KmsError.invalid(file + " is not an RSA or EC public key");
    }

    private static byte[] read(Path file) {
        return TrustFiles.read(file);
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
