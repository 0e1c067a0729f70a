package dev.tresor.kms.kmip.server;

import dev.tresor.kms.tenant.Caller;
import java.security.cert.X509Certificate;

/**
 * Maps the verified TLS client certificate to a caller (principal, project, role). The server
 * module plugs in the core's certificate registry; the TLS layer has already checked the chain.
 * Fails with {@code KmsError} UNAUTHENTICATED for a certificate that is not registered.
 */
@FunctionalInterface
public interface ClientAuthenticator {
    Caller authenticate(X509Certificate certificate);
}
