package dev.tresor.kms.key;

import dev.tresor.kms.tenant.TenantId;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored object that is not a usable key: KMIP secret data, opaque objects, certificates and
 * public keys registered on their own. Its value lives under the barrier like key material;
 * {@code attributes} holds front-end attributes the core does not interpret. A {@code sensitive}
 * object's value never leaves, whatever its type (KMIP Sensitive; fixed at registration). Deletion
 * is soft, as for keys: 30 days, then the object is erased.
 */
public record ManagedObject(String id, TenantId tenant, Type type, boolean exportable, Instant createdAt,
                            Optional<Instant> deletionDate, Map<String, String> attributes, boolean sensitive) {

    public enum Type {
        SECRET_DATA(true), OPAQUE_OBJECT(true), CERTIFICATE(false), PUBLIC_KEY(false);

        private final boolean secret;

        Type(boolean secret) {
            this.secret = secret;
        }

        /** Whether the value is secret: then it leaves only if the object is exportable (and not sensitive). */
        public boolean secret() {
            return secret;
        }
    }

    public ManagedObject {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(type);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(deletionDate);
        attributes = Map.copyOf(attributes);
    }

    /** Whether the value may leave in plain: never if sensitive; a secret one only if exportable. */
    public boolean leaves() {
        return !sensitive && (!type.secret() || exportable);
    }

    public boolean deleted() {
        return deletionDate.isPresent();
    }

    ManagedObject withDeletionDate(Optional<Instant> date) {
        return new ManagedObject(id, tenant, type, exportable, createdAt, date, attributes, sensitive);
    }

    ManagedObject withAttributes(Map<String, String> newAttributes) {
        return new ManagedObject(id, tenant, type, exportable, createdAt, deletionDate, newAttributes, sensitive);
    }
}
