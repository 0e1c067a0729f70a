package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.AttestationType;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Query: the operations and object types Tresor serves, who it is, (1.2 and later) the
 * Attestation Types it accepts and (1.3 and later) its Capability Information. Other query
 * functions are answered with nothing, which the spec allows (spec 1.4 section 4.25).
 */
final class QueryHandler implements OperationHandler {
    private static final int QUERY_OPERATIONS = 1;
    private static final int QUERY_OBJECTS = 2;
    private static final int QUERY_SERVER_INFORMATION = 3;
    private static final int QUERY_ATTESTATION_TYPES = 7;
    private static final int QUERY_CAPABILITIES = 0x0B;
    /** Symmetric Key, Public Key, Private Key. */
    private static final int[] OBJECT_TYPES = {0x02, 0x03, 0x04};

    private final Set<Operation> operations;

    QueryHandler(Set<Operation> operations) {
        this.operations = Set.copyOf(operations);
    }

    @Override
    public Operation operation() {
        return Operation.QUERY;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        List<Integer> functions = request.all(Tag.QUERY_FUNCTION).stream().map(Ttlv::asEnum).toList();
        List<Ttlv> answer = new ArrayList<>();
        if (functions.contains(QUERY_OPERATIONS)) {
            for (Operation operation : Operation.values()) {
                if (operations.contains(operation)) {
                    answer.add(Ttlv.enumeration(Tag.OPERATION, operation.code()));
                }
            }
        }
        if (functions.contains(QUERY_OBJECTS)) {
            for (int type : OBJECT_TYPES) {
                answer.add(Ttlv.enumeration(Tag.OBJECT_TYPE, type));
            }
        }
        if (functions.contains(QUERY_SERVER_INFORMATION)) {
            answer.add(Ttlv.text(Tag.VENDOR_IDENTIFICATION, "Tresor KMS"));
            answer.add(Ttlv.structure(Tag.SERVER_INFORMATION));
        }
        if (functions.contains(QUERY_ATTESTATION_TYPES) && context.version().atLeast(ProtocolVersion.V1_2)) {
            for (AttestationType type : AttestationType.values()) {
                answer.add(Ttlv.enumeration(Tag.ATTESTATION_TYPE, type.code()));
            }
        }
        if (functions.contains(QUERY_CAPABILITIES) && context.version().atLeast(ProtocolVersion.V1_3)) {
            answer.add(capabilities(context.version()));
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }

    /**
     * Capability Information (1.3+): no streaming (Encrypt in parts is offered, Decrypt in parts is
     * not), no asynchronous operations, attestation; from 1.4, where they are defined, Batch Error
     * Continuation Options Undo and Continue.
     */
    private static Ttlv capabilities(ProtocolVersion version) {
        List<Ttlv> capabilities = new ArrayList<>(List.of(
                Ttlv.bool(Tag.STREAMING_CAPABILITY, false),
                Ttlv.bool(Tag.ASYNCHRONOUS_CAPABILITY, false),
                Ttlv.bool(Tag.ATTESTATION_CAPABILITY, true)));
        if (version.atLeast(ProtocolVersion.V1_4)) {
            capabilities.add(Ttlv.bool(Tag.BATCH_UNDO_CAPABILITY, true));
            capabilities.add(Ttlv.bool(Tag.BATCH_CONTINUE_CAPABILITY, true));
        }
        return Ttlv.structure(Tag.CAPABILITY_INFORMATION, capabilities);
    }
}
