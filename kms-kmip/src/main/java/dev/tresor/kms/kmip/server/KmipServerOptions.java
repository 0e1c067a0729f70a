package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * How the KMIP listener runs: address, the server's certificate, the CA that signs client
 * certificates, message limits and how long an idle connection may stay open.
 */
public record KmipServerOptions(String host, int port, KeyCertOptions serverCertificate, TrustOptions clientCa,
                                TtlvLimits limits, Duration idleTimeout) {
    public static final int DEFAULT_PORT = 5696;

    public KmipServerOptions {
        Objects.requireNonNull(host);
        Objects.requireNonNull(serverCertificate);
        Objects.requireNonNull(clientCa);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(idleTimeout);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
