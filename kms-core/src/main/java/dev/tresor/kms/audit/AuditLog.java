package dev.tresor.kms.audit;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.store.Store;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The append-only audit log: one hash chain per tenant, stored through the barrier at
 * {@code audit/<tenant>/<sequence, 20 digits>}. A call returns only once its record is durable;
 * a record that cannot be written fails the call.
 *
 * <p>Under the tenant's lock a record takes the next sequence number, links to the previous
 * hash and is <em>submitted</em>; the wait for the disk happens outside the lock. The store
 * commits in submission order, so the chain is stored in order, while concurrent callers share
 * one fsync (see {@link dev.tresor.kms.store.RocksDbStore}). A writer that finds the lock taken
 * does not wait for it: it leaves its records to the holder, which chains them before letting go.
 *
 * <p>The chain's end in memory may name records not yet durable. If their batch fails, nothing
 * chained after them reaches the disk either: the store is fail-stop (see
 * {@link dev.tresor.kms.store.RocksDbStore}), so the chain on disk never continues past a missing
 * record and no sequence number is given twice.
 */
public final class AuditLog {
    private static final String PREFIX = "audit/";
    private static final int SEQUENCE_DIGITS = 20;

    private final BarrierStore store;
    private final Map<String, Chain> chains = new ConcurrentHashMap<>();

    /** The end of one tenant's chain, read from storage on the tenant's first record. */
    private static final class Chain {
        final ReentrantLock lock = new ReentrantLock();
        /** Writes left to whoever holds the lock. */
        final Queue<Write> waiting = new ConcurrentLinkedQueue<>();
        /** Set once, under the lock; read without it by {@link #chainKnown}. */
        volatile boolean loaded;
        long lastSequence;
        String lastHash;
        /** The last batch submitted; the store commits in order, so all before it are durable once it is. */
        CompletableFuture<Void> lastStored = CompletableFuture.completedFuture(null);
    }

    /** Events to chain into {@code changes}; {@code durable} completes once the batch is on disk. */
    private record Write(List<AuditEvent> events, BarrierStore.Batch changes, CompletableFuture<Void> durable) {
    }

    public AuditLog(BarrierStore store) {
        this.store = Objects.requireNonNull(store);
    }

    /** Whether the end of the tenant's chain is in memory, so that chaining a record reads nothing from storage. */
    public boolean chainKnown(String tenant) {
        Chain chain = chains.get(tenant);
        return chain != null && chain.loaded;
    }

    /**
     * The sequence number of the tenant's last stored record, 0 when it has none. Every write of a
     * {@code Key} record, by every build since the chains are per tenant, moves it on (its record
     * goes in the same batch), which the use-period pass relies on; other writes need not
     * (KeyService.markServed and the KBS session calls write none).
     */
    public long storedEnd(String tenant) {
        return store.last(prefix(tenant)).map(entry -> AuditJson.decode(entry.getValue()).sequence()).orElse(0L);
    }

    /** Records a call that changed nothing; durable before this returns. */
    public void record(AuditEvent event) {
        write(List.of(event), store.batch());
    }

    /**
     * Records a mutation: the record joins {@code changes} in one atomic batch, which is then
     * written; the change and its record are durable together or not at all.
     */
    public void record(AuditEvent event, BarrierStore.Batch changes) {
        record(List.of(event), changes);
    }

    /**
     * {@link #record(AuditEvent, BarrierStore.Batch)} for a write that made several audited changes,
     * in order; at least one (IllegalArgumentException, nothing written).
     */
    public void record(List<AuditEvent> events, BarrierStore.Batch changes) {
        write(ofMutation(events), changes);
    }

    /**
     * Records a mutation whose {@code precondition} must hold when it is written: under the
     * tenant's chain lock, once every batch chained before is durable, {@code precondition} runs
     * (reading the store) and then the batch is chained and submitted, durable before this
     * returns. Every write to the tenant's records carries one of its audit records and so passes
     * this lock, in commit order: nothing can land between the check and the write. A precondition
     * that throws leaves the chain untouched, so a refused write leaves no hole in it.
     */
    public void recordIf(AuditEvent event, BarrierStore.Batch changes, Runnable precondition) {
        NonBlocking.check("a synced write");
        String tenant = event.tenant();
        Chain chain = chains.computeIfAbsent(tenant, t -> new Chain());
        Write write = new Write(List.of(event), changes, new CompletableFuture<>());
        chain.lock.lock();
        try {
            chainWaiting(chain, tenant);
            Store.await(chain.lastStored);
            precondition.run();
            chainAndSubmit(chain, tenant, write);
        } finally {
            // writes left to the holder meanwhile go ahead whether or not this one did
            chainWaiting(chain, tenant);
            chain.lock.unlock();
            chainWaitingIfFree(chain, tenant);
        }
        Store.await(write.durable());
    }

    /**
     * Hands a read-only core call's event to the {@code pending} audit of the front-end call it is
     * part of (see {@link PendingAudit}); once that call has ended, records the event at once.
     */
    public void hold(PendingAudit pending, AuditEvent event) {
        if (pending.isOpen()) {
            pending.add(Objects.requireNonNull(event));
        } else {
            record(event);
        }
    }

    /**
     * Records a mutation as above (its {@code events}, in order, at least one), with the events
     * {@code pending} holds ahead of its own, in the same batch; if that write fails, {@code pending}
     * still holds them.
     */
    public void record(PendingAudit pending, List<AuditEvent> events, BarrierStore.Batch changes) {
        write(pending.toWrite(ofMutation(events)), changes);
        pending.written();
    }

    /** A mutation's own events: every write that changes something carries a record of it. */
    private static List<AuditEvent> ofMutation(List<AuditEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a mutation is recorded with at least one event of its own");
        }
        return List.copyOf(events);
    }

    /** Ends {@code pending}: writes the events it holds in one batch, durable before this returns. */
    public void complete(PendingAudit pending) {
        Store.await(completeAsync(pending));
    }

    /**
     * Ends {@code pending} without waiting: the events it holds go to the store in one batch, and
     * the future completes (on the store's committer thread) once they are durable, or fails with
     * the {@link KmsError} the write failed with, leaving them held.
     */
    public CompletableFuture<Void> completeAsync(PendingAudit pending) {
        pending.close();
        if (pending.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return submit(pending.toWrite(List.of()), store.batch()).thenRun(pending::written);
    }

    /** Chains {@code events} in order, adds them to {@code changes} and writes the batch. */
    private void write(List<AuditEvent> events, BarrierStore.Batch changes) {
        NonBlocking.check("a synced write");
        Store.await(submit(events, changes));
    }

    /**
     * Chains {@code events} in order, adds them to {@code changes} and submits the batch; the
     * future fails with the call's {@link KmsError} if the batch is not durable.
     */
    private CompletableFuture<Void> submit(List<AuditEvent> events, BarrierStore.Batch changes) {
        String tenant = events.get(0).tenant();
        for (AuditEvent event : events) {
            if (!event.tenant().equals(tenant)) {
                throw new IllegalArgumentException("the events of one write belong to one tenant");
            }
        }
        Chain chain = chains.computeIfAbsent(tenant, t -> new Chain());
        Write write = new Write(events, changes, new CompletableFuture<>());
        chain.waiting.add(write);
        chainWaitingIfFree(chain, tenant);
        return write.durable();
    }

    /**
     * Whoever gets the lock chains every waiting write; a write queued just as the holder lets go
     * is seen by the next turn of this loop, here or in the holder's.
     */
    private void chainWaitingIfFree(Chain chain, String tenant) {
        while (!chain.waiting.isEmpty() && chain.lock.tryLock()) {
            try {
                chainWaiting(chain, tenant);
            } finally {
                chain.lock.unlock();
            }
        }
    }

    /** Under the chain's lock: chains and submits every waiting write. */
    private void chainWaiting(Chain chain, String tenant) {
        for (Write next = chain.waiting.poll(); next != null; next = chain.waiting.poll()) {
            chainAndSubmit(chain, tenant, next);
        }
    }

    /** Under the chain's lock: gives the write's events the next sequence numbers and submits its batch. */
    private void chainAndSubmit(Chain chain, String tenant, Write write) {
        CompletableFuture<Void> stored;
        try {
            load(chain, tenant);
            long sequence = chain.lastSequence;
            String hash = chain.lastHash;
            for (AuditEvent event : write.events()) {
                AuditRecord record = AuditRecord.chain(++sequence, event, hash);
                write.changes().put(key(record.tenant(), record.sequence()), AuditJson.encode(record));
                hash = record.hash();
            }
            stored = store.submit(write.changes());
            chain.lastSequence = sequence;
            chain.lastHash = hash;
            chain.lastStored = stored;
        } catch (RuntimeException e) {
            write.durable().completeExceptionally(unavailable(e));
            return;
        }
        stored.whenComplete((done, failure) -> {
            if (failure == null) {
                write.durable().complete(null);
            } else {
                write.durable().completeExceptionally(unavailable(Store.failure(failure)));
            }
        });
    }

    /** The tenant's records with {@code from <= time < to}, in sequence order. */
    public List<AuditRecord> export(String tenant, Instant from, Instant to) {
        AuditEvent.checkTenant(tenant);
        if (from.isAfter(to)) {
            throw KmsError.invalid("the export window ends (" + to + ") before it starts (" + from + ")");
        }
        return store.scan(prefix(tenant)).stream()
                .map(entry -> AuditJson.decode(entry.getValue()))
                .filter(r -> !r.time().isBefore(from) && r.time().isBefore(to))
                .toList();
    }

    /** {@link #export} as a JSON array, the form {@link AuditVerifier#verifyJson} checks. */
    public String exportJson(String tenant, Instant from, Instant to) {
        return AuditJson.write(export(tenant, from, to));
    }

    private void load(Chain chain, String tenant) {
        if (chain.loaded) {
            return;
        }
        AuditRecord last = store.last(prefix(tenant)).map(entry -> AuditJson.decode(entry.getValue())).orElse(null);
        chain.lastSequence = last == null ? 0 : last.sequence();
        chain.lastHash = last == null ? AuditRecord.GENESIS_HASH : last.hash();
        chain.loaded = true;
    }

    /** SEALED stays SEALED (nothing can be written, and the caller should know why); all else is INTERNAL. */
    private static KmsError unavailable(RuntimeException cause) {
        if (cause instanceof KmsError error && error.code() == ErrorCode.SEALED) {
            return error;
        }
        return KmsError.internal("audit log unavailable", cause);
    }

    private static String prefix(String tenant) {
        return PREFIX + tenant + "/";
    }

    static String key(String tenant, long sequence) {
        String digits = Long.toString(sequence);
        return prefix(tenant) + "0".repeat(SEQUENCE_DIGITS - digits.length()) + digits;
    }
}
