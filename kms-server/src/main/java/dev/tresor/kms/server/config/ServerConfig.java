package dev.tresor.kms.server.config;

import dev.tresor.kms.attest.AttestationTrust;
import dev.tresor.kms.attest.SnpProduct;
import dev.tresor.kms.attest.TdxCollateralStore;
import dev.tresor.kms.attest.TrustFiles;
import dev.tresor.kms.kmip.operation.Lease;
import dev.tresor.kms.seal.SealType;
import dev.tresor.kms.server.UsageError;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Everything {@code serve} needs to start. Each {@link Setting} comes from, in rising
 * precedence: its default, the config file (Java properties), its {@code TRESOR_*} variable.
 */
public record ServerConfig(boolean dev, Path dataDir, String listenHost, int restPort, int kmipPort,
                           Optional<TlsFiles> restTls, Optional<TlsFiles> kmipTls, Optional<Path> kmipClientCa,
                           long callsPerHour,
                           int bodyLimitBytes, SealType sealType, boolean allowSimulatedAttestation,
                           Optional<String> kbsDefaultProject, AttestationInputs attestation,
                           OptionalInt kmipHttpsPort, Lease kmipLease) {
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int MAX_BODY_LIMIT = 16 * 1024 * 1024;
    /** 64 KiB of data as base64 plus the JSON around it. */
    private static final int MIN_BODY_LIMIT = 96 * 1024;

    public ServerConfig {
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(listenHost);
        Objects.requireNonNull(restTls);
        Objects.requireNonNull(kmipTls);
        Objects.requireNonNull(kmipClientCa);
        Objects.requireNonNull(sealType);
        Objects.requireNonNull(kbsDefaultProject);
        Objects.requireNonNull(attestation);
        Objects.requireNonNull(kmipHttpsPort);
        Objects.requireNonNull(kmipLease);
    }

    /** Reads {@code configFile} (if any) and {@code environment}; every problem is a {@link UsageError}. */
    public static ServerConfig load(boolean dev, Optional<Path> configFile, Map<String, String> environment) {
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            defaultFor(setting, dev).ifPresent(text -> values.put(setting, new Value(text, "default")));
        }
        configFile.ifPresent(file -> readFile(file, values));
        for (Setting setting : Setting.values()) {
            String text = environment.get(setting.envName());
            if (text != null) {
                values.put(setting, new Value(text.strip(), "environment variable " + setting.envName()));
            }
        }
        return resolve(dev, values);
    }

    private static Optional<String> defaultFor(Setting setting, boolean dev) {
        if (dev && setting == Setting.LISTEN_HOST) {
            return Optional.of("127.0.0.1");
        }
        if (dev && setting == Setting.SEAL_TYPE) {
            return Optional.of("dev");
        }
        if (dev && setting == Setting.ALLOW_SIMULATED_ATTESTATION) {
            return Optional.of("true");
        }
        return setting.defaultValue();
    }

    private static void readFile(Path file, Map<Setting, Value> values) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new UsageError("config file " + file + " does not exist or is not readable");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageError("cannot read config file " + file + ": " + e.getMessage());
        }
        for (String key : properties.stringPropertyNames()) {
            Setting setting = Setting.byKey(key)
                    .orElseThrow(() -> new UsageError("unknown setting '" + key + "' in " + file));
            values.put(setting, new Value(properties.getProperty(key).strip(), "config file " + file));
        }
    }

    private static ServerConfig resolve(boolean dev, Map<Setting, Value> values) {
        SealType sealType = sealType(required(values, Setting.SEAL_TYPE));
        if (dev && sealType != SealType.DEV) {
            throw new UsageError("--dev uses the dev seal, but seal.type is " + values.get(Setting.SEAL_TYPE).text()
                    + " (" + values.get(Setting.SEAL_TYPE).origin() + ")");
        }
        Optional<TlsFiles> restTls = tls(values, Setting.REST_TLS_CERT, Setting.REST_TLS_KEY);
        if (!dev && restTls.isEmpty()) {
            throw new UsageError("rest.tls.cert and rest.tls.key are required without --dev");
        }
        Optional<TlsFiles> kmipTls = tls(values, Setting.KMIP_TLS_CERT, Setting.KMIP_TLS_KEY).or(() -> restTls);
        return new ServerConfig(dev,
                Path.of(nonEmpty(values, Setting.DATA_DIR)),
                nonEmpty(values, Setting.LISTEN_HOST),
                port(values, Setting.REST_PORT),
                port(values, Setting.KMIP_PORT),
                restTls,
                kmipTls,
                Optional.ofNullable(values.get(Setting.KMIP_CLIENT_CA))
                        .map(value -> readableFile(Setting.KMIP_CLIENT_CA, value)),
                number(values, Setting.CALLS_PER_HOUR, 1, Long.MAX_VALUE),
                (int) number(values, Setting.BODY_LIMIT, MIN_BODY_LIMIT, MAX_BODY_LIMIT),
                sealType,
                bool(values, Setting.ALLOW_SIMULATED_ATTESTATION),
                Optional.ofNullable(values.get(Setting.KBS_DEFAULT_PROJECT)).map(ServerConfig::projectId),
                attestation(values),
                values.containsKey(Setting.KMIP_HTTPS_PORT)
                        ? OptionalInt.of(port(values, Setting.KMIP_HTTPS_PORT)) : OptionalInt.empty(),
                new Lease(Duration.ofSeconds(number(values, Setting.KMIP_LEASE_SECONDS, 1, Lease.MAX_SECONDS))));
    }

    private static Optional<TlsFiles> tls(Map<Setting, Value> values, Setting cert, Setting key) {
        Value certValue = values.get(cert);
        Value keyValue = values.get(key);
        if (certValue == null && keyValue == null) {
            return Optional.empty();
        }
        if (certValue == null || keyValue == null) {
            throw new UsageError(cert.key() + " and " + key.key() + " must be set together");
        }
        return Optional.of(new TlsFiles(readableFile(cert, certValue), readableFile(key, keyValue)));
    }

    private static Path readableFile(Setting setting, Value value) {
        Path path = Path.of(value.text());
        if (!Files.isReadable(path)) {
            throw new UsageError(setting.key() + ": cannot read " + path + " (" + value.origin() + ")");
        }
        return path;
    }

    /** Reads every configured attestation file now, so a bad one stops the start naming the setting. */
    private static AttestationInputs attestation(Map<Setting, Value> values) {
        AttestationTrust trust = AttestationTrust.defaults();
        List<X509Certificate> amd = new ArrayList<>();
        amd.addAll(files(values, Setting.ATTESTATION_AMD_CERTIFICATES, TrustFiles::certificates));
        amd.addAll(files(values, Setting.ATTESTATION_AMD_VCEK_DIR, TrustFiles::certificates));
        trust = trust.withAmdCertificates(amd)
                .withIntelCertificates(files(values, Setting.ATTESTATION_INTEL_CERTIFICATES, TrustFiles::certificates));
        Value pins = values.get(Setting.ATTESTATION_AMD_ARK_PINS);
        if (pins != null) {
            for (String pin : pins.text().split(",")) {
                String[] parts = pin.strip().split("=", 2);
                Optional<SnpProduct> product = parts.length != 2 ? Optional.empty() : Arrays.stream(SnpProduct.values())
                        .filter(p -> p.name().equalsIgnoreCase(parts[0].strip())).findFirst();
                if (product.isEmpty() || !parts[1].strip().matches("[0-9a-fA-F]{64}")) {
                    throw new UsageError(Setting.ATTESTATION_AMD_ARK_PINS.key() + ": '" + pin.strip()
                            + "' is not product=<64 hex> with product milan, genoa or turin (" + pins.origin() + ")");
                }
                trust = trust.withArkFingerprint(product.get(), parts[1].strip());
            }
        }
        Value issuers = values.get(Setting.ATTESTATION_TOKEN_ISSUERS);
        if (issuers != null) {
            trust = trust.withTokenIssuers(loaded(Setting.ATTESTATION_TOKEN_ISSUERS, issuers,
                    () -> TrustFiles.tokenIssuers(Path.of(issuers.text()))));
        }
        return new AttestationInputs(trust, new TdxCollateralStore(
                files(values, Setting.ATTESTATION_TDX_COLLATERAL, TrustFiles::collateral),
                files(values, Setting.ATTESTATION_TDX_CRLS, TrustFiles::crls)));
    }

    /** What {@code reader} finds in each comma-separated path of a setting (none when it is unset). */
    private static <T> List<T> files(Map<Setting, Value> values, Setting setting, Function<Path, List<T>> reader) {
        Value value = values.get(setting);
        if (value == null) {
            return List.of();
        }
        List<T> found = new ArrayList<>();
        for (String part : value.text().split(",")) {
            Path path = Path.of(part.strip());
            if (!Files.isReadable(path)) {
                throw new UsageError(setting.key() + ": cannot read " + path + " (" + value.origin() + ")");
            }
            found.addAll(loaded(setting, value, () -> reader.apply(path)));
        }
        return found;
    }

    private static <T> T loaded(Setting setting, Value value, Supplier<T> load) {
        try {
            return load.get();
        } catch (KmsError e) {
            throw new UsageError(setting.key() + ": " + e.getMessage() + " (" + value.origin() + ")");
        }
    }

    private static String projectId(Value value) {
        if (!UUID.matcher(value.text()).matches()) {
            throw new UsageError(Setting.KBS_DEFAULT_PROJECT.key() + ": '" + value.text() + "' is not a project id (a UUID) ("
                    + value.origin() + ")");
        }
        return value.text().toLowerCase(java.util.Locale.ROOT);
    }

    private static Value required(Map<Setting, Value> values, Setting setting) {
        Value value = values.get(setting);
        if (value == null) {
            throw new UsageError(setting.key() + " is required");
        }
        return value;
    }

    private static String nonEmpty(Map<Setting, Value> values, Setting setting) {
        Value value = required(values, setting);
        if (value.text().isEmpty()) {
            throw new UsageError(setting.key() + " must not be empty (" + value.origin() + ")");
        }
        return value.text();
    }

    private static int port(Map<Setting, Value> values, Setting setting) {
        return (int) number(values, setting, 0, 65_535);
    }

    private static long number(Map<Setting, Value> values, Setting setting, long min, long max) {
        Value value = required(values, setting);
        long number;
        try {
            number = Long.parseLong(value.text());
        } catch (NumberFormatException e) {
            throw new UsageError(setting.key() + ": '" + value.text() + "' is not a number (" + value.origin() + ")");
        }
        if (number < min || number > max) {
            throw new UsageError(setting.key() + ": " + number + " is outside " + min + ".." + max
                    + " (" + value.origin() + ")");
        }
        return number;
    }

    private static SealType sealType(Value value) {
        return switch (value.text()) {
            case "dev" -> SealType.DEV;
            case "shamir" -> SealType.SHAMIR;
            default -> throw new UsageError("seal.type: '" + value.text() + "' is neither dev nor shamir ("
                    + value.origin() + ")");
        };
    }

    private static boolean bool(Map<Setting, Value> values, Setting setting) {
        Value value = required(values, setting);
        return switch (value.text()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new UsageError(setting.key() + ": '" + value.text() + "' is neither true nor false ("
                    + value.origin() + ")");
        };
    }

    /** A setting's text and where it came from, so an error can point at the right place. */
    private record Value(String text, String origin) {
    }
}
