package dev.tresor.kms.tenant;

import java.util.Objects;

/**
 * Who is calling, as the audit log names it: an API token id, a KMIP client certificate
 * fingerprint, the operator, or an attested workload.
 */
public record Principal(Kind kind, String id) {
    public enum Kind { TOKEN, CLIENT_CERTIFICATE, OPERATOR, WORKLOAD }

    public Principal {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(id);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
    }
}
