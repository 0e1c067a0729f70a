package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The one dispatch table: each supported operation to its handler. Anything else is Operation Not Supported. */
public final class Operations {
    private final Map<Operation, OperationHandler> handlers = new EnumMap<>(Operation.class);

    private Operations(List<OperationHandler> all) {
        for (OperationHandler handler : all) {
            if (handlers.put(handler.operation(), handler) != null) {
                throw new IllegalArgumentException("two handlers for " + handler.operation());
            }
        }
    }

    public static Operations of(List<OperationHandler> handlers) {
        return new Operations(handlers);
    }

    /** Every operation Tresor offers over KMIP, granting leases of the default length. */
    public static Operations standard() {
        return standard(Lease.DEFAULT);
    }

    /** Every operation Tresor offers over KMIP, granting leases of {@code lease}. */
    public static Operations standard(Lease lease) {
        KmipObjects objects = new KmipObjects();
        NewObjects newObjects = new NewObjects(objects);
        StoredObjects storedObjects = new StoredObjects(objects);
        ObjectAccess access = new ObjectAccess(objects, storedObjects);
        AttributeReport report = new AttributeReport(lease);
        List<OperationHandler> handlers = new ArrayList<>(List.of(
                new DiscoverVersionsHandler(),
                new CreateHandler(newObjects),
                new CreateKeyPairHandler(newObjects),
                new RegisterHandler(newObjects, storedObjects),
                new GetHandler(access),
                new GetAttributesHandler(access, report),
                new GetAttributeListHandler(access, report),
                new AddAttributeHandler(access),
                new ModifyAttributeHandler(access),
                new DeleteAttributeHandler(access),
                new SetAttributeHandler(access),
                new LocateHandler(objects, storedObjects),
                new CheckHandler(access),
                new ObtainLeaseHandler(access, lease),
                new ActivateHandler(access),
                new RevokeHandler(access),
                new DestroyHandler(access),
                new ReKeyHandler(access),
                new EncryptHandler(access),
                new DecryptHandler(access),
                new SignHandler(access),
                new SignatureVerifyHandler(access),
                new MacHandler(access),
                new MacVerifyHandler(access),
                new HashHandler(),
                new RngRetrieveHandler(),
                new RngSeedHandler(),
                new InteropHandler(),
                new LogHandler()));
        Set<Operation> offered = EnumSet.of(Operation.QUERY);
        handlers.forEach(h -> offered.add(h.operation()));
        handlers.add(new QueryHandler(offered));
        return new Operations(handlers);
    }

    public Optional<OperationHandler> handler(Operation operation) {
        return Optional.ofNullable(handlers.get(operation));
    }

    public Set<Operation> supported() {
        return Collections.unmodifiableSet(handlers.keySet());
    }
}
