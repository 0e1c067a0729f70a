package dev.tresor.kms.server.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every option of {@code serve}: its key in the config file, its environment variable (the key
 * upper-cased, dots as underscores, prefixed {@code TRESOR_}) and its default.
 */
public enum Setting {
    DATA_DIR("data.dir", "./tresor-data", "RocksDB store, seal files and (with --dev) the dev files"),
    LISTEN_HOST("listen.host", "0.0.0.0", "address both listeners bind to (--dev: 127.0.0.1)"),
    REST_PORT("rest.port", "8443", "HTTPS port of the REST and admin API (0 = any free port)"),
    KMIP_PORT("kmip.port", "5696", "KMIP over mutual TLS (0 = any free port)"),
    KMIP_HTTPS_PORT("kmip.https.port", null,
            "KMIP over HTTPS (POST /kmip: TTLV, JSON or XML) with the KMIP certificates; off unless set (0 = any free port)"),
    REST_TLS_CERT("rest.tls.cert", null, "PEM certificate chain of the HTTPS listener (--dev: generated)"),
    REST_TLS_KEY("rest.tls.key", null, "PEM PKCS#8 private key of the HTTPS listener (--dev: generated)"),
    KMIP_TLS_CERT("kmip.tls.cert", null, "PEM certificate chain of the KMIP listener (default: rest.tls.cert)"),
    KMIP_TLS_KEY("kmip.tls.key", null, "PEM PKCS#8 private key of the KMIP listener (default: rest.tls.key)"),
    KMIP_CLIENT_CA("kmip.tls.client.ca", null,
            "PEM CA(s) that sign KMIP client certificates; without it KMIP is off (--dev: the dev CA)"),
    KMIP_LEASE_SECONDS("kmip.lease.seconds", "3600",
            "KMIP Lease Time granted on keys, secret data and certificates (Obtain Lease), in seconds"),
    CALLS_PER_HOUR("limit.calls.per.hour", "10000",
            "rolling-hour call budget of the --dev project (admin-API projects name their own)"),
    BODY_LIMIT("limit.body.bytes", "131072", "largest HTTP request body accepted"),
    SEAL_TYPE("seal.type", "shamir", "dev (key file in the data dir, auto-unsealed) or shamir (--dev: dev)"),
    KBS_DEFAULT_PROJECT("kbs.default.project", null,
            "project (UUID, region eu01) the KBS protocol serves at /kbs/v0; without it only at"
                    + " /v1/projects/{p}/regions/{r}/kbs/v0"),
    ATTESTATION_AMD_CERTIFICATES("attestation.amd.certificates", null,
            "ASK/ASVK/ARK certificates (PEM/DER files or folders, comma-separated); candidates, the ARK pins decide"),
    ATTESTATION_AMD_VCEK_DIR("attestation.amd.vcek.dir", null,
            "folder of VCEK/VLEK certificates, for SNP reports sent without their endorsement certificate"),
    ATTESTATION_AMD_ARK_PINS("attestation.amd.ark.pins", null,
            "product=SHA-256 of the ARK's DER (milan, genoa, turin), comma-separated; replaces the built-in pin"),
    ATTESTATION_INTEL_CERTIFICATES("attestation.intel.certificates", null,
            "Intel TCB Signing / PCK CA certificates (files or folders, comma-separated); the SGX Root CA pin decides"),
    ATTESTATION_TDX_COLLATERAL("attestation.tdx.collateral", null,
            "Intel collateral folders, comma-separated: tcb_info.json, qe_identity.json, CRLs *.der, TCB Signing"
                    + " *.pem; or folders of such folders (one per FMSPC and issue)"),
    ATTESTATION_TDX_CRLS("attestation.tdx.crls", null,
            "CRLs (DER/PEM files or folders, comma-separated) checked in every verification"),
    ATTESTATION_TOKEN_ISSUERS("attestation.token.issuers", null,
            "JSON file of attestation token issuers (EAR, Trustee, Azure ...) with their pinned keys"),
    ALLOW_SIMULATED_ATTESTATION("attestation.allowSimulated", "false",
            "accept evidence from the simulated TEE and serve its dev-only report endpoint (--dev: true)");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String envName() {
        return "TRESOR_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    static Optional<Setting> byKey(String key) {
        for (Setting setting : values()) {
            if (setting.key.equals(key)) {
                return Optional.of(setting);
            }
        }
        return Optional.empty();
    }
}
