package dev.tresor.kms.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The audit events of one front-end call that takes several core calls (a KMIP batch item),
 * held back so that the whole call costs one durable write: they join the first mutation's batch
 * or are written together when the call ends, always before it answers. Once the call has
 * ended, events are no longer held: a late core call under the same caller is written at once.
 * Confined to the thread running the call.
 */
public final class PendingAudit {
    private final List<AuditEvent> events = new ArrayList<>();
    private boolean open = true;

    void add(AuditEvent event) {
        events.add(event);
    }

    /** The events held so far, in order, followed by {@code last}; the holder is empty afterwards. */
    List<AuditEvent> takeWith(AuditEvent last) {
        List<AuditEvent> taken = new ArrayList<>(events.size() + 1);
        taken.addAll(events);
        if (last != null) {
            taken.add(last);
        }
        events.clear();
        return taken;
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    boolean isOpen() {
        return open;
    }

    void close() {
        open = false;
    }
}
