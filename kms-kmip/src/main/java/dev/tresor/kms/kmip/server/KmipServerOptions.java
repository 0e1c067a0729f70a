package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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

    /** Sets the address and mutual TLS (1.2 and 1.3, client certificate required) on a listener's options. */
    <T extends NetServerOptions> T applyTo(T listener) {
        listener.setHost(host).setPort(port).setSsl(true)
                .setKeyCertOptions(serverCertificate)
                .setTrustOptions(clientCa)
                .setClientAuth(ClientAuth.REQUIRED)
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setIdleTimeout((int) idleTimeout.toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        return listener;
    }
}
