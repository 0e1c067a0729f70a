package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.service.KmsError;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Carries a {@link KmipFailure} out of a core call, which refuses only with a {@link KmsError}:
 * what the front-end runs inside the call refuses it with a KmsError of the failure's code and
 * message (the core records a refusal, not an internal error), and the caller meets the
 * KmipFailure itself once the call returned.
 */
final class KmipRefusal {
    private KmipFailure failure;
    private KmsError inCore;

    private KmipRefusal() {
    }

    /** {@code call}, a core call given {@code inside} to run in it, with inside's KmipFailure carried out. */
    static <T, R> R carriedOut(Supplier<T> inside, Function<Supplier<T>, R> call) {
        KmipRefusal refusal = new KmipRefusal();
        try {
            return call.apply(refusal.carried(inside));
        } catch (KmsError error) {
            throw error == refusal.inCore ? refusal.failure : error;
        }
    }

    private <T> Supplier<T> carried(Supplier<T> inside) {
        return () -> {
            try {
                return inside.get();
            } catch (KmipFailure refused) {
                failure = refused;
                inCore = KmsError.of(refused.auditCode(), refused.getMessage());
                throw inCore;
            }
        };
    }
}
