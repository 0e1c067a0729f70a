package dev.tresor.kms.rest;

import dev.tresor.kms.tenant.TenantId;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the REST listener is set up. With both TLS files it serves HTTPS (TLS 1.2 and 1.3 only);
 * without them plain HTTP, for tests and for a TLS-terminating proxy in front.
 *
 * @param host          the address to listen on
 * @param port          the port; 0 picks a free one (see {@link RestServer#actualPort()})
 * @param tlsKey        PEM private key: PKCS#8 ("BEGIN PRIVATE KEY"), or PKCS#1 for RSA
 * @param tlsCertificate PEM certificate chain, leaf first
 * @param bodyLimit     the largest request body in bytes: 64 KiB of data as base64 plus the JSON around it
 * @param regions       the region ids this server answers for (STACKIT's enum has only {@code eu01})
 * @param kbsDefaultTenant the KMS instance the KBS protocol serves at {@code /kbs/v0} (any instance
 *                      is served at {@code /v1/projects/{p}/regions/{r}/kbs/v0})
 */
public record RestOptions(String host, int port, Optional<Path> tlsKey, Optional<Path> tlsCertificate, int bodyLimit,
                          Set<String> regions, Optional<TenantId> kbsDefaultTenant) {
    public static final int DEFAULT_PORT = 8443;
    public static final int DEFAULT_BODY_LIMIT = 128 * 1024;
    public static final Set<String> DEFAULT_REGIONS = Set.of("eu01");

    public RestOptions {
        Objects.requireNonNull(host);
        Objects.requireNonNull(tlsKey);
        Objects.requireNonNull(tlsCertificate);
        regions = Set.copyOf(regions);
        Objects.requireNonNull(kbsDefaultTenant);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (tlsKey.isPresent() != tlsCertificate.isPresent()) {
            throw new IllegalArgumentException("TLS needs both a key and a certificate file");
        }
        if (bodyLimit < 96 * 1024) {
            throw new IllegalArgumentException("bodyLimit must hold 64 KiB of base64 data (at least 98304 bytes)");
        }
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("at least one region is needed");
        }
        if (kbsDefaultTenant.isPresent() && !regions.contains(kbsDefaultTenant.get().regionId())) {
            throw new IllegalArgumentException("the default KBS instance must be in a served region");
        }
    }

    /** Every address, port 8443, no TLS yet, 128 KiB bodies, region eu01. */
    public static RestOptions defaults() {
        return new RestOptions("0.0.0.0", DEFAULT_PORT, Optional.empty(), Optional.empty(), DEFAULT_BODY_LIMIT,
                DEFAULT_REGIONS, Optional.empty());
    }

    public RestOptions withHost(String newHost) {
        return new RestOptions(newHost, port, tlsKey, tlsCertificate, bodyLimit, regions,
                kbsDefaultTenant);
    }

    public RestOptions withPort(int newPort) {
        return new RestOptions(host, newPort, tlsKey, tlsCertificate, bodyLimit, regions,
                kbsDefaultTenant);
    }

    public RestOptions withTls(Path key, Path certificate) {
        return new RestOptions(host, port, Optional.of(key), Optional.of(certificate), bodyLimit, regions,
                kbsDefaultTenant);
    }

    public RestOptions withBodyLimit(int newBodyLimit) {
        return new RestOptions(host, port, tlsKey, tlsCertificate, newBodyLimit, regions,
                kbsDefaultTenant);
    }

    public RestOptions withRegions(Set<String> newRegions) {
        return new RestOptions(host, port, tlsKey, tlsCertificate, bodyLimit, newRegions, kbsDefaultTenant);
    }

    public RestOptions withKbsDefaultTenant(TenantId tenant) {
        return new RestOptions(host, port, tlsKey, tlsCertificate, bodyLimit, regions, Optional.of(tenant));
    }

    public boolean tls() {
        return tlsKey.isPresent();
    }
}
