package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;

/**
 * RNG Seed: the client's Data is mixed into the server's DRBG as additional input to a reseed
 * from the DRBG's own entropy source, so it can add to the state but never weaken it. Every byte
 * is used, which Data Length reports.
 */
final class RngSeedHandler implements OperationHandler {
    @Override
    public Operation operation() {
        return Operation.RNG_SEED;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        int used = context.keys().seedRandom(context.caller(), request.require(Tag.DATA).asBytes());
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.integer(Tag.DATA_LENGTH, used));
    }
}
