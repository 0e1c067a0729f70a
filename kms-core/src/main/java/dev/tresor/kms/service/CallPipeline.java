package dev.tresor.kms.service;

import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.audit.PendingAudit;
import dev.tresor.kms.limit.RateLimits;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.Right;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every service call goes through: seal check → project lookup → rate limit → authorisation →
 * operation → audit. A mutation hands its batch to the commit function it is given, which writes
 * the audit record in the same atomic batch; any other call is audited after it ran. A call whose
 * audit record cannot be written fails. The core calls of one admitted front-end call share one
 * durable write ({@link #admitted}). A caller in an {@link UndoScope} has its batches remembered there.
 */
final class CallPipeline {
    private static final Logger LOG = Logger.getLogger(CallPipeline.class.getName());

    private final BarrierStore barrier;
    private final Projects projects;
    private final RateLimits limits;
    private final AuditLog audit;
    private final Clock clock;

    CallPipeline(BarrierStore barrier, Projects projects, RateLimits limits, AuditLog audit, Clock clock) {
        this.barrier = barrier;
        this.projects = projects;
        this.limits = limits;
        this.audit = audit;
        this.clock = clock;
    }

    /** Runs a read-only call. */
    <T> T read(Caller caller, String operation, Right right, String resource, Supplier<T> call) {
        return read(caller, () -> operation, right, resource, call);
    }

    /** Runs a read-only call whose audit operation is read once it ran (it may name what the call found). */
    <T> T read(Caller caller, Supplier<String> operation, Right right, String resource, Supplier<T> call) {
        return run(caller, operation, right, resource, commit -> call.get());
    }

    /** Runs a call that may commit one batch of changes through the function it is given. */
    <T> T run(Caller caller, String operation, Right right, String resource,
              Function<Consumer<BarrierStore.Batch>, T> call) {
        return run(caller, () -> operation, right, resource, call);
    }

    /**
     * {@link #run} with an audit operation read when the call's record is made, so that the call
     * may name in it what it found (an export of a revoked version says so).
     */
    <T> T run(Caller caller, Supplier<String> operation, Right right, String resource,
              Function<Consumer<BarrierStore.Batch>, T> call) {
        return run(caller, operation, right, resource, List.of(), (commit, alsoCommit) -> call.apply(commit));
    }

    /**
     * {@link #run} for a call whose one write may make a second change, audited as an operation of
     * its own: one of {@code also}, each of which needs its right. A role without one of them is
     * denied before the call runs, whether or not its write would have made that change.
     * {@code call} commits through the first function it is given, or, when its write makes one of
     * those changes too, through the commit the second gives for it, which then records that
     * operation, ok, after the call's own record in the same batch. A call refused before its
     * write records only its own refusal.
     */
    <T> T run(Caller caller, String operation, Right right, String resource, List<Also> also,
              BiFunction<Consumer<BarrierStore.Batch>, Function<Also, Consumer<BarrierStore.Batch>>, T> call) {
        return run(caller, () -> operation, right, resource, also, call);
    }

    /** Default deny: the caller's role must hold {@code right} to make {@code operation}. */
    private static void requireAllowed(Caller caller, Right right, Supplier<String> operation) {
        if (!caller.role().allows(right)) {
            throw KmsError.denied("role " + caller.role().wireName() + " may not " + operation.get());
        }
    }

    /** A second audited operation a call's write may make, on {@code resource}, and the right it needs. */
    record Also(String operation, Right right, String resource) {
    }

    private <T> T run(Caller caller, Supplier<String> operation, Right right, String resource, List<Also> also,
                      BiFunction<Consumer<BarrierStore.Batch>, Function<Also, Consumer<BarrierStore.Batch>>, T> call) {
        barrier.requireUnsealed(); // caches must not serve a sealed server
        Project project = projects.get(caller.tenant().projectId());
        boolean[] committed = {false};
        try {
            if (!caller.admitted()) {
                limits.take(caller.tenant(), project.callsPerHour(), clock.instant());
            }
            requireAllowed(caller, right, operation);
            also.forEach(a -> requireAllowed(caller, a.right(), a::operation));
            Function<Optional<Also>, Consumer<BarrierStore.Batch>> committing = made -> batch -> {
                AuditEvent own = event(caller, operation.get(), resource, "ok");
                List<AuditEvent> events = made.map(a -> List.of(own, event(caller, a.operation(), a.resource(), "ok")))
                        .orElse(List.of(own));
                Runnable write = () -> record(caller, events, batch);
                // A crypto call writes only what no undo may take back: a key's lowered usage limit
                // (its output has left), or the key a public key object adopts from its own value.
                caller.undo().filter(scope -> right != Right.CRYPTO)
                        .ifPresentOrElse(scope -> scope.write(barrier, batch, write), write);
                committed[0] = true;
            };
            T result = call.apply(committing.apply(Optional.empty()), made -> {
                if (!also.contains(made)) {
                    throw new IllegalArgumentException(made.operation() + " was not authorised for this call");
                }
                return committing.apply(Optional.of(made));
            });
            if (!committed[0]) {
                record(caller, event(caller, operation.get(), resource, "ok"));
            }
            return result;
        } catch (KmsError e) {
            if (!committed[0]) {
                recordFailure(caller, operation.get(), resource, e);
            }
            throw e;
        } catch (NonBlocking.WouldWait declined) {
            throw declined;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, operation.get() + " failed", e);
            KmsError internal = KmsError.internal("internal error", e);
            recordFailure(caller, operation.get(), resource, internal);
            throw internal;
        }
    }

    /**
     * Runs one front-end call that takes several core calls: counts it once and audits it as
     * {@code operation}, then runs {@code item} with the caller marked as admitted. Its audit
     * costs one durable write ({@link PendingAudit}): the read-only core calls fold into the
     * call's own record, a mutation carries that record in its batch; the call answers only once
     * its records are durable, and fails if they cannot be written. The record's result is the
     * call's outcome: ok if {@code item} returns, else the code of what it threw, which
     * {@code refusalCode} gives for a front-end's own refusals (a {@link KmsError} names its own).
     */
    <T> T admitted(Caller caller, String operation, Function<Caller, T> item,
                   Function<RuntimeException, ErrorCode> refusalCode) {
        return Store.await(admittedAsync(caller, operation, item, refusalCode));
    }

    /**
     * {@link #admitted} without waiting for the disk: {@code item} runs on the calling thread and
     * the future gives its result once the call's records are durable; it completes on the
     * store's committer thread, so what depends on it must not block (there a synchronous write
     * is refused, not waited for). If the write fails, the future fails with that error and the
     * call's records are lost: no failure record is tried, since none could be written (sealed, or
     * the store stopped by a failed commit until it is reopened). When {@code item} itself fails,
     * its record is durable before this returns and the future has already failed with what it
     * threw, so a front-end handles its refusals on its own thread.
     */
    <T> CompletableFuture<T> admittedAsync(Caller caller, String operation, Function<Caller, T> item,
                                           Function<RuntimeException, ErrorCode> refusalCode) {
        requireNotAdmitted(caller);
        return admittedAsync(caller, operation, item, refusalCode, true);
    }

    /**
     * {@link #admittedAsync} tried on a thread that must not block ({@link NonBlocking}): the
     * project must be cached, the tenant's audit chain end known, and {@code item} must neither
     * wait nor fail; then the future is {@link #admittedAsync}'s. Otherwise the call is declined,
     * and {@code blocking} runs it from the start, counted against the budget exactly once: a
     * token taken here goes with it. Its future is then the one that run gives.
     */
    <T> CompletableFuture<T> admittedWithoutWaiting(Caller caller, String operation, Function<Caller, T> item,
                                                    Function<RuntimeException, ErrorCode> refusalCode,
                                                    Executor blocking) {
        requireNotAdmitted(caller);
        Optional<Project> project = audit.chainKnown(caller.tenant().path())
                ? NonBlocking.tryRun(() -> {
                    barrier.requireUnsealed();
                    return projects.get(caller.tenant().projectId());
                })
                : Optional.empty();
        if (project.isEmpty() || !tookToken(caller, project.get())) {
            return declined(caller, operation, item, refusalCode, blocking, true);
        }
        PendingAudit pending = new PendingAudit(event(caller, operation, "", "ok"));
        Optional<T> result = NonBlocking.tryRun(() -> {
            requireRole(caller, operation);
            return item.apply(caller.admittedInto(pending));
        });
        if (result.isEmpty()) {
            return declined(caller, operation, item, refusalCode, blocking, false);
        }
        return audit.completeAsync(pending).thenApply(durable -> result.get());
    }

    /**
     * Runs a declined call on {@code blocking}. If that refuses it (the server is stopping), the
     * call fails; one whose token was already taken is still recorded, as every counted call is.
     */
    private <T> CompletableFuture<T> declined(Caller caller, String operation, Function<Caller, T> item,
                                              Function<RuntimeException, ErrorCode> refusalCode, Executor blocking,
                                              boolean takeToken) {
        try {
            return CompletableFuture.supplyAsync(() -> admittedAsync(caller, operation, item, refusalCode, takeToken),
                    blocking).thenCompose(answer -> answer);
        } catch (RejectedExecutionException stopping) {
            KmsError refused = KmsError.internal("the server is stopping", stopping);
            if (takeToken) {
                return CompletableFuture.failedFuture(refused);
            }
            PendingAudit pending = new PendingAudit(event(caller, operation, "", "ok"));
            pending.fail(refused.code());
            return completeAfterFailure(operation, pending).thenCompose(recorded -> CompletableFuture.failedFuture(refused));
        }
    }

    private <T> CompletableFuture<T> admittedAsync(Caller caller, String operation, Function<Caller, T> item,
                                                   Function<RuntimeException, ErrorCode> refusalCode,
                                                   boolean takeToken) {
        barrier.requireUnsealed();
        Project project = projects.get(caller.tenant().projectId());
        PendingAudit pending = new PendingAudit(event(caller, operation, "", "ok"));
        T result;
        try {
            if (takeToken) {
                limits.take(caller.tenant(), project.callsPerHour(), clock.instant());
            }
            requireRole(caller, operation);
            result = item.apply(caller.admittedInto(pending));
        } catch (RuntimeException e) {
            pending.fail(e instanceof KmsError error ? error.code() : refusalCode.apply(e));
            Store.await(completeAfterFailure(operation, pending));
            return CompletableFuture.failedFuture(e);
        }
        return audit.completeAsync(pending).thenApply(durable -> result);
    }

    /** A refused call takes no token; the run that may wait repeats the refusal and records it. */
    private boolean tookToken(Caller caller, Project project) {
        try {
            limits.take(caller.tenant(), project.callsPerHour(), clock.instant());
            return true;
        } catch (KmsError refused) {
            return false;
        }
    }

    private static void requireNotAdmitted(Caller caller) {
        if (caller.admitted()) {
            throw new IllegalArgumentException("this caller's call was already admitted");
        }
    }

    /** An admitted call needs at least the right to read metadata; each core call then checks its own. */
    private static void requireRole(Caller caller, String operation) {
        requireAllowed(caller, Right.READ_METADATA, () -> operation);
    }

    /**
     * Takes back what the calls of {@code scope} wrote, in one atomic write that also carries the
     * undo's audit record ({@code undo} on {@code resource}): the records they changed go back to
     * their value before, and {@code created} adds what becomes of the records they created.
     * Only if every record still holds what the group left ({@link AuditLog#recordIf}); else
     * FAILED_PRECONDITION and nothing changes. Not counted against the budget: it ends a front-end
     * call already counted. A refusal is audited too.
     */
    void undo(Caller caller, UndoScope scope, String resource, Consumer<BarrierStore.Batch> created) {
        barrier.requireUnsealed();
        try {
            BarrierStore.Batch batch = scope.restoring(barrier.batch());
            created.accept(batch);
            audit.recordIf(event(caller, "undo", resource, AuditEvent.OK), batch,
                    () -> scope.requireUnchanged(barrier));
            scope.markUndone();
        } catch (KmsError e) {
            recordFailure(caller, "undo", resource, e);
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "undo failed", e);
            KmsError internal = KmsError.internal("internal error", e);
            recordFailure(caller, "undo", resource, internal);
            throw internal;
        }
    }

    /** A mutation's events, with any events the caller's admission holds, in the mutation's batch. */
    private void record(Caller caller, List<AuditEvent> events, BarrierStore.Batch changes) {
        caller.admission().ifPresentOrElse(pending -> audit.record(pending, events, changes),
                () -> audit.record(events, changes));
    }

    /** A call that changed nothing: written now, or held until its admitted front-end call ends. */
    private void record(Caller caller, AuditEvent event) {
        caller.admission().ifPresentOrElse(pending -> audit.hold(pending, event), () -> audit.record(event));
    }

    private void recordFailure(Caller caller, String operation, String resource, KmsError error) {
        if (error.code() == ErrorCode.SEALED) {
            return; // nothing can be written while sealed
        }
        try {
            record(caller, event(caller, operation, resource, error.code().name()));
        } catch (KmsError auditFailure) {
            LOG.warning("audit record of a failed " + operation + " could not be written: " + auditFailure.getMessage());
        }
    }

    /**
     * The front-end call failed already; its held events are still written if at all possible.
     * The future completes once that is settled, and never fails.
     */
    private CompletableFuture<Void> completeAfterFailure(String operation, PendingAudit pending) {
        return audit.completeAsync(pending).exceptionally(auditFailure -> {
            LOG.warning("audit records of a failed " + operation + " could not be written: "
                    + Store.failure(auditFailure).getMessage());
            return null;
        });
    }

    private AuditEvent event(Caller caller, String operation, String resource, String result) {
        Map<String, String> details = caller.attestation()
                .map(a -> Map.of("attestation", a.tee()))
                .orElse(Map.of());
        return new AuditEvent(clock.instant(), caller.principal().toString(), caller.tenant().path(), operation,
                resource, result, details);
    }
}
