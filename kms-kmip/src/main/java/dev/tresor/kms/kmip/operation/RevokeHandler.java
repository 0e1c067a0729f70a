package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;

/**
 * Revoke: Deactivated with a Deactivation Date, or for a key or CA compromise Compromised with a
 * Compromise Date and the Compromise Occurrence Date the request gives (else the Initial Date,
 * spec 1.4 section 4.20); the core version is revoked (disabled, so no front-end can use it any
 * more, yet still exportable by Get, as KMIP allows) if it is active, or was revoked before and the
 * Revoke is for a compromise; one disabled or destroyed over REST is left as it is. A stored object
 * only changes state. The state is judged inside the core's save of the object's attributes
 * ({@link ObjectAccess#lifecycleEdit}), so a caller who may not change the object is denied first,
 * and the version's revocation by the core on the version as it is under the key's lock when the
 * save is written, never on an earlier read of it. The revocation is part of that save's one write: the
 * version is revoked only if the attributes that say so are saved, and a save refused (the object
 * changed meanwhile, its attributes over the core's bounds, sealed) leaves both as they were. One
 * Revoke of a key object is audited as {@code key.set-attributes} and, when it revokes the
 * version, {@code version.revoke}, both ok and in that write; a refused one records the save's
 * refusal and no {@code version.revoke} at all.
 */
final class RevokeHandler implements OperationHandler {
    private static final int KEY_COMPROMISE = 2;
    private static final int CA_COMPROMISE = 3;

    private final ObjectAccess access;

    RevokeHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.REVOKE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Ttlv reason = request.require(Tag.REVOCATION_REASON);
        int code = reason.require(Tag.REVOCATION_REASON_CODE).asEnum();
        boolean compromised = code == KEY_COMPROMISE || code == CA_COMPROMISE;
        Instant now = context.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        LifecycleStep revocation = compromised ? LifecycleStep.REVOKE_COMPROMISED : LifecycleStep.REVOKE;
        Managed revoked = access.lifecycleEdit(context, request, object -> {
            if (object.state().destroyed()) {
                throw KmsError.precondition("object " + object.uid() + " is destroyed");
            }
            Managed revokedObject = object.with(Tag.REVOCATION_REASON, reason);
            if (!compromised) {
                return revokedObject.withState(ObjectState.DEACTIVATED)
                        .with(Tag.DEACTIVATION_DATE, Ttlv.dateTime(Tag.DEACTIVATION_DATE, now));
            }
            Ttlv occurred = request.find(Tag.COMPROMISE_OCCURRENCE_DATE)
                    .or(() -> Attributes.first(object.stored(), Tag.INITIAL_DATE))
                    .orElse(Ttlv.dateTime(Tag.COMPROMISE_OCCURRENCE_DATE, now));
            return revokedObject.withState(ObjectState.COMPROMISED)
                    .with(Tag.COMPROMISE_DATE, Ttlv.dateTime(Tag.COMPROMISE_DATE, now))
                    .with(Tag.COMPROMISE_OCCURRENCE_DATE, occurred);
        }, coreSteps(revocation));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, revoked.uid()));
    }

    /** The core's step a Revoke making {@code revocation} may make: that one, of a key object that holds material. */
    static CoreSteps coreSteps(LifecycleStep revocation) {
        return new CoreSteps(Set.of(revocation), key -> key.id().isPublic() ? Optional.empty() : Optional.of(revocation));
    }
}
