package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.RequestHeader;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.tenant.Caller;
import java.security.cert.X509Certificate;
import java.time.Clock;

/**
 * What a handler needs besides its payload: who calls (and over which mutual-TLS certificate), in
 * which version, the batch's placeholder and the core.
 */
public record OperationContext(Caller caller, X509Certificate clientCertificate, RequestHeader header,
                               IdPlaceholder placeholder, KeyManagement keys, Clock clock) {
    /** The 2.x Unique Identifier enumeration value that stands for the ID Placeholder. */
    private static final int ID_PLACEHOLDER = 1;

    public ProtocolVersion version() {
        return header.version();
    }

    /**
     * Decrypt (also unwrap), with the request's Attestation credential when it carries one: the
     * core checks it, bound to this channel's client certificate, for a key whose terms gate
     * decrypt, and answers ATTESTATION_REQUIRED for such a key when there is none.
     */
    public Bytes decrypt(DecryptRequest request) {
        return header.attestation().isEmpty() ? keys.decrypt(caller, request)
                : keys.decryptAttested(caller, request, header.attestation().get().forChannel(clientCertificate));
    }

    /**
     * The object a request names: its Unique Identifier, or the ID Placeholder when it names none
     * (or, in 2.x, names the placeholder by enumeration).
     */
    public String uniqueIdentifier(Ttlv request) {
        Ttlv id = request.find(Tag.UNIQUE_IDENTIFIER).orElse(null);
        if (id == null) {
            return placeholder.require();
        }
        if (id.type() == ItemType.ENUMERATION) {
            if (id.asEnum() != ID_PLACEHOLDER) {
                throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED,
                        "only the ID Placeholder may be named by enumeration");
            }
            return placeholder.require();
        }
        return id.asText();
    }
}
