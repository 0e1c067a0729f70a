package dev.tresor.kms.audit;

import dev.tresor.kms.service.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit of one front-end call that takes several core calls (a KMIP batch item): one event
 * for the call itself, held back so that the whole call costs one durable write. Until that
 * event is written, the read-only core calls fold into it (it names the resource of the last one
 * and the first failure); a mutation writes it in its own batch, ahead of the mutation's event;
 * read-only core calls after that are held as events of their own. Whatever is held is written
 * when the call ends, always before it answers; after that, a late core call under the same
 * caller is written at once. Confined to the thread running the call.
 */
public final class PendingAudit {
    private AuditEvent call;
    private final List<AuditEvent> held = new ArrayList<>();
    private boolean open = true;

    /** Starts with the front-end call's own event. */
    public PendingAudit(AuditEvent call) {
        this.call = Objects.requireNonNull(call);
    }

    /** A read-only core call's event: folded into the call's event while that is unwritten, else held. */
    void add(AuditEvent event) {
        if (call == null) {
            held.add(event);
        } else {
            fold(event.resource(), event.result());
        }
    }

    /** The front-end call failed with {@code code}; its unwritten event says so, unless it names an earlier failure. */
    public void fail(ErrorCode code) {
        if (call != null) {
            fold("", code.name());
        }
    }

    private void fold(String resource, String result) {
        call = new AuditEvent(call.time(), call.principal(), call.tenant(), call.operation(),
                resource.isEmpty() ? call.resource() : resource,
                call.result().equals(AuditEvent.OK) ? result : call.result(), call.details());
    }

    /** The events to write now, in order, followed by {@code last} if not null; nothing stays held. */
    List<AuditEvent> takeWith(AuditEvent last) {
        List<AuditEvent> taken = new ArrayList<>(held.size() + 2);
        if (call != null) {
            taken.add(call);
            call = null;
        }
        taken.addAll(held);
        held.clear();
        if (last != null) {
            taken.add(last);
        }
        return taken;
    }

    boolean isEmpty() {
        return call == null && held.isEmpty();
    }

    boolean isOpen() {
        return open;
    }

    void close() {
        open = false;
    }
}
