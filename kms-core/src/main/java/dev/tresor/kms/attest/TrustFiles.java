package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads the operator's attestation inputs from files: certificates (PEM or DER, one file or a
 * folder of them), CRLs, Intel collateral folders ({@code tcb_info.json}, {@code qe_identity.json},
 * their CRLs {@code *.der} and TCB Signing certificates {@code *.pem}), JWKs and token issuer
 * lists. Every problem is INVALID_ARGUMENT naming the file; files over 1 MiB are refused unread.
 */
public final class TrustFiles {
    static final long MAX_FILE_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CERTIFICATE_FILES = List.of(".pem", ".der", ".crt", ".cer");
    private static final List<String> CRL_FILES = List.of(".der", ".pem", ".crl");

    private TrustFiles() {
    }

    /** The certificates in {@code path}: a PEM or DER file, or every {@code .pem/.der/.crt/.cer} file in a folder. */
    public static List<X509Certificate> certificates(Path path) {
        return parsed(path, CERTIFICATE_FILES, Certificates::parse, "holds no certificate");
    }

    /** The CRLs in {@code path}: a DER or PEM file, or every {@code .der/.pem/.crl} file in a folder. */
    public static List<X509CRL> crls(Path path) {
        return parsed(path, CRL_FILES, bytes -> List.of(Certificates.parseCrl(bytes)), "is not a CRL");
    }

    private static <T> List<T> parsed(Path path, List<String> suffixes, Function<byte[], List<T>> parser,
                                      String refusal) {
        List<T> parsed = new ArrayList<>();
        for (Path file : files(path, suffixes)) {
            try {
                parsed.addAll(parser.apply(read(file)));
            } catch (KmsError e) {
                throw KmsError.invalid(file + " " + refusal);
            }
        }
        return parsed;
    }

    /**
     * The collateral sets in {@code path}: the folder itself when it holds {@code tcb_info.json}
     * (then {@code qe_identity.json} is required), otherwise each sub-folder holding both.
     */
    public static List<TdxCollateralStore.CollateralSet> collateral(Path path) {
        if (Files.exists(path.resolve("tcb_info.json"))) {
            return List.of(collateralSet(path));
        }
        List<TdxCollateralStore.CollateralSet> sets = new ArrayList<>();
        for (Path folder : list(path)) {
            if (Files.isDirectory(folder) && Files.exists(folder.resolve("tcb_info.json"))
                    && Files.exists(folder.resolve("qe_identity.json"))) {
                sets.add(collateralSet(folder));
            }
        }
        if (sets.isEmpty()) {
            throw KmsError.invalid(path + " holds no collateral (tcb_info.json and qe_identity.json)");
        }
        return sets;
    }

    /** One folder: TCB info, QE identity, CRLs ({@code *.der}) and TCB Signing certificates ({@code *.pem}). */
    public static TdxCollateralStore.CollateralSet collateralSet(Path folder) {
        if (!Files.exists(folder.resolve("qe_identity.json"))) {
            throw KmsError.invalid(folder + " has tcb_info.json but no qe_identity.json");
        }
        List<X509CRL> crls = new ArrayList<>();
        List<X509Certificate> signing = new ArrayList<>();
        for (Path file : list(folder)) {
            String name = file.getFileName().toString();
            if (name.endsWith(".der")) {
                crls.addAll(crls(file));
            } else if (name.endsWith(".pem")) {
                signing.addAll(certificates(file));
            }
        }
        TdxCollateralStore.CollateralSet set = new TdxCollateralStore.CollateralSet(new TdxCollateral(
                Bytes.of(read(folder.resolve("tcb_info.json"))), Bytes.of(read(folder.resolve("qe_identity.json"))),
                signing), crls);
        try {
            set.fmspc();
        } catch (KmsError e) {
            throw KmsError.invalid(folder.resolve("tcb_info.json") + " is not Intel TCB info: " + e.getMessage());
        }
        return set;
    }

    /** The keys of a JWK or JWK set file. */
    public static List<PublicKey> jwks(Path file) {
        JsonNode node = json(file);
        List<PublicKey> keys = new ArrayList<>();
        try {
            if (node.has("keys")) {
                node.get("keys").forEach(k -> keys.add(Jwk.toPublicKey(k)));
            } else {
                keys.add(Jwk.toPublicKey(node));
            }
        } catch (KmsError e) {
            throw KmsError.invalid(file + " is not a JWK or JWK set: " + e.getMessage());
        }
        return keys;
    }

    /**
     * Token issuers from a JSON file: {@code {"issuers": [{"id", "issuer"?, "keys": [files of JWKs,
     * JWK sets or PEM certificates], "algorithms": [...], "bindingClaim"?: JSON Pointer, "ear": bool}]}};
     * relative key paths are resolved against the file's folder.
     */
    public static List<TokenIssuer> tokenIssuers(Path file) {
        JsonNode issuers = json(file).path("issuers");
        if (!issuers.isArray() || issuers.isEmpty()) {
            throw KmsError.invalid(file + " needs a non-empty \"issuers\" array");
        }
        List<TokenIssuer> result = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode entry : issuers) {
            String id = entry.path("id").asText("");
            if (id.isEmpty() || !ids.add(id)) {
                throw KmsError.invalid(file + ": every issuer needs a unique \"id\"");
            }
            List<PublicKey> keys = new ArrayList<>();
            for (JsonNode keyFile : entry.path("keys")) {
                Path resolved = file.toAbsolutePath().getParent().resolve(keyFile.asText());
                String name = resolved.getFileName().toString();
                if (name.endsWith(".json") || name.endsWith(".jwk")) {
                    keys.addAll(jwks(resolved));
                } else {
                    certificates(resolved).forEach(c -> keys.add(c.getPublicKey()));
                }
            }
            Set<String> algorithms = new HashSet<>();
            entry.path("algorithms").forEach(a -> algorithms.add(a.asText()));
            try {
                result.add(new TokenIssuer(id, text(entry, "issuer"), keys,
                        algorithms.isEmpty() ? TokenIssuer.SUPPORTED_ALGORITHMS : algorithms,
                        text(entry, "bindingClaim"), entry.path("ear").asBoolean(false)));
            } catch (IllegalArgumentException e) {
                throw KmsError.invalid(file + ": issuer " + id + ": " + e.getMessage());
            }
        }
        return result;
    }

    private static Optional<String> text(JsonNode entry, String member) {
        JsonNode value = entry.path(member);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static JsonNode json(Path file) {
        try {
            return JSON.readTree(read(file));
        } catch (IOException e) {
            throw KmsError.invalid(file + " is not JSON");
        }
    }

    private static List<Path> files(Path path, List<String> suffixes) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        return list(path).stream().filter(Files::isRegularFile)
                .filter(f -> suffixes.stream().anyMatch(f.getFileName().toString()::endsWith)).toList();
    }

    static List<Path> list(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw KmsError.invalid("cannot list " + folder);
        }
    }

    static byte[] read(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw KmsError.invalid(file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw KmsError.invalid("cannot read " + file);
        }
    }
}
