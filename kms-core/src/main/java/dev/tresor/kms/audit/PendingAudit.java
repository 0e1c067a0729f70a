package dev.tresor.kms.audit;

import dev.tresor.kms.service.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The audit of one front-end call that takes several core calls (a KMIP batch item): one event
 * for the call itself, held back so that the whole call costs one durable write. Its result is
 * the call's own outcome, the answer its client got: a core call's failure the front-end handled
 * (an optional attribute it could not read) is not the call's failure. Until that event is
 * written, the read-only core calls fold into it: it names the resource of the last one, and its
 * detail {@code ops} lists each core operation once, in order, a failed one as
 * {@code operation:CODE} (so a folded {@code key.export} still says key material was read). A
 * mutation writes it in its own batch, ahead of the mutation's events; read-only core calls after
 * that are held as events of their own, and a failure after that is held as a second event of the
 * call naming it. Whatever is held is written when the call ends, always before it answers, and
 * stays held if that write fails; after that, a late core call under the same caller is written
 * at once. Confined to the thread running the call.
 */
public final class PendingAudit {
    private static final String OPS = "ops";

    private final AuditEvent call;
    private String resource;
    private String result;
    private boolean callWritten;
    private final Set<String> ops = new LinkedHashSet<>();
    private final List<AuditEvent> held = new ArrayList<>();
    private boolean open = true;

    /** Starts with the front-end call's own event. */
    public PendingAudit(AuditEvent call) {
        this.call = Objects.requireNonNull(call);
        this.resource = call.resource();
        this.result = call.result();
    }

    /** A read-only core call's event: folded into the call's event while that is unwritten, else held. */
    void add(AuditEvent event) {
        if (callWritten) {
            held.add(event);
            return;
        }
        ops.add(event.result().equals(AuditEvent.OK) ? event.operation() : event.operation() + ":" + event.result());
        if (!event.resource().isEmpty()) {
            resource = event.resource();
        }
    }

    /** The front-end call failed with {@code code}: its event says so, or, when already written ok, a second one. */
    public void fail(ErrorCode code) {
        if (callWritten) {
            held.add(callEvent(code.name()));
        } else {
            result = code.name();
        }
    }

    /** The call's event as it stands, built only when written: every core call it folds would rebuild it. */
    private AuditEvent callEvent(String outcome) {
        return new AuditEvent(call.time(), call.principal(), call.tenant(), call.operation(), resource, outcome,
                ops.isEmpty() ? call.details() : withOps(call.details()));
    }

    /** The operations folded so far, as one bounded detail value; an operation that would not fit is left out. */
    private Map<String, String> withOps(Map<String, String> details) {
        StringBuilder joined = new StringBuilder();
        for (String op : ops) {
            int length = joined.length() + (joined.length() == 0 ? 0 : 1) + op.length();
            if (length <= AuditEvent.MAX_DETAIL_VALUE) {
                joined.append(joined.length() == 0 ? "" : ",").append(op);
            }
        }
        Map<String, String> changed = new HashMap<>(details);
        changed.put(OPS, joined.toString());
        return changed;
    }

    /** The events to write now, in order, followed by {@code last}; they stay held until {@link #written}. */
    List<AuditEvent> toWrite(List<AuditEvent> last) {
        List<AuditEvent> events = new ArrayList<>(held.size() + 1 + last.size());
        if (!callWritten) {
            events.add(callEvent(result));
        }
        events.addAll(held);
        events.addAll(last);
        return events;
    }

    /** The events of {@link #toWrite} are durable. */
    void written() {
        callWritten = true;
        held.clear();
    }

    boolean isEmpty() {
        return callWritten && held.isEmpty();
    }

    boolean isOpen() {
        return open;
    }

    void close() {
        open = false;
    }
}
