package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.message.BatchErrorContinuation;
import dev.tresor.kms.kmip.message.BatchItem;
import dev.tresor.kms.attest.Challenge;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Nonce;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.RequestHeader;
import dev.tresor.kms.kmip.message.RequestMessage;
import dev.tresor.kms.kmip.message.ResponseItem;
import dev.tresor.kms.kmip.message.ResponseMessage;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.operation.IdPlaceholder;
import dev.tresor.kms.kmip.operation.OperationContext;
import dev.tresor.kms.kmip.operation.OperationHandler;
import dev.tresor.kms.kmip.operation.Operations;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import dev.tresor.kms.service.UndoScope;
import dev.tresor.kms.tenant.Caller;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One request message in, one response message out, independent of the transport. Items run in
 * order (which honours Batch Order True and False alike); with Batch Error Continuation Stop, the
 * default, the first failure ends the batch; with Undo it also takes back what the items before
 * it changed ({@link #respondUndoable}). Every item of a supported operation is one call against
 * the project's hourly budget and one audit entry. An item refused with Attestation Required (the
 * client set Attestation Capable Indicator) gets a fresh single-use Nonce in the response header;
 * one per message, as the header has room for one. Blocking: call {@link #process(byte[],
 * X509Certificate)} on a worker thread, or {@link #process(byte[], X509Certificate, Executor)} on
 * an event loop, which hands what may wait to the workers; the answer itself waits for the disk
 * without holding a thread.
 */
public final class MessageProcessor {
    /** The longest list of undone items the undo's audit record names one by one (an audit field holds 1,024). */
    private static final int MAX_UNDONE_NAMES = 1000;
    /**
     * What a batch with Undo may hold: reads, and changes an undo takes back exactly (attribute
     * edits, state changes, soft deletes) or leaves soft-deleted (a created or registered object).
     */
    private static final Set<Operation> UNDOABLE = EnumSet.of(Operation.CREATE, Operation.REGISTER,
            Operation.ACTIVATE, Operation.REVOKE, Operation.DESTROY, Operation.ADD_ATTRIBUTE,
            Operation.SET_ATTRIBUTE, Operation.MODIFY_ATTRIBUTE, Operation.DELETE_ATTRIBUTE, Operation.GET,
            Operation.GET_ATTRIBUTES, Operation.GET_ATTRIBUTE_LIST, Operation.CHECK, Operation.LOCATE,
            Operation.OBTAIN_LEASE, Operation.QUERY, Operation.DISCOVER_VERSIONS, Operation.INTEROP);

    /** What an event loop tries without a worker: the calls that may need only cached keys and AES. */
    private static final Set<Operation> TRIED_ON_EVENT_LOOP = EnumSet.of(Operation.ENCRYPT, Operation.DECRYPT);
    /**
     * The largest frame an event loop decodes (a lone Encrypt or Decrypt of a few KiB): decoding
     * up to the frame limit (1 MiB, 100,000 items) would hold up every connection on that loop.
     */
    static final int DECODED_ON_EVENT_LOOP = 8 * 1024;

    private final Operations operations;
    private final KeyManagement keys;
    private final ClientAuthenticator authenticator;
    private final TtlvLimits limits;
    private final Clock clock;

    public MessageProcessor(Operations operations, KeyManagement keys, ClientAuthenticator authenticator,
                            TtlvLimits limits, Clock clock) {
        this.operations = operations;
        this.keys = keys;
        this.authenticator = authenticator;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Answers one framed request. The answer completes once the records of its items are durable,
     * on the store's committer thread unless it is complete on return: act on it without blocking.
     * The client certificate is re-checked for every message, so revocation bites at once.
     */
    public CompletableFuture<byte[]> process(byte[] frame, X509Certificate clientCertificate) {
        return process(frame, clientCertificate, Admission.ON_WORKER);
    }

    /**
     * {@link #process(byte[], X509Certificate)} called on an event loop, which it never blocks. Only
     * a frame that may be answered here is decoded here: at most {@link #DECODED_ON_EVENT_LOOP} bytes,
     * whose header declares one batch item and whose first item's Operation is Encrypt or Decrypt
     * (both read from the bytes before decoding). A message of one
     * Encrypt or Decrypt item, whose client certificate is known, is then tried here (see
     * {@link KeyManagement#admittedWithoutWaiting}). Every other frame goes to {@code workers}
     * undecoded; other messages, an item the core declines, and the answer to a refused item
     * (issuing a Nonce writes) go there too. If the workers refuse a frame (the server is
     * stopping), this throws {@link RejectedExecutionException}.
     */
    public CompletableFuture<byte[]> process(byte[] frame, X509Certificate clientCertificate, Executor workers) {
        if (frame.length > DECODED_ON_EVENT_LOOP || !RequestMessage.declaresLoneItemOf(frame, TRIED_ON_EVENT_LOOP)) {
            return CompletableFuture.supplyAsync(() -> process(frame, clientCertificate, Admission.ON_WORKER),
                    workers).thenCompose(answer -> answer);
        }
        return process(frame, clientCertificate, new Admission(workers));
    }

    private CompletableFuture<byte[]> process(byte[] frame, X509Certificate clientCertificate, Admission admission) {
        Ttlv tree;
        try {
            tree = TtlvReader.read(frame, limits);
        } catch (KmsError e) {
            return answer(messageFailure(ProtocolVersion.V1_0, ResultReason.INVALID_MESSAGE, e.getMessage()));
        }
        ProtocolVersion claimed = RequestMessage.claimedVersion(tree).orElse(ProtocolVersion.V1_0);
        Optional<ProtocolVersion> answerVersion = answeringVersion(claimed);
        if (answerVersion.isEmpty()) {
            return answer(messageFailure(ProtocolVersion.V1_0, ResultReason.INVALID_MESSAGE,
                    "protocol version " + claimed + " is not supported"));
        }
        RequestMessage request;
        try {
            request = RequestMessage.from(tree);
        } catch (KmipFailure e) {
            return answer(messageFailure(answerVersion.get(), e.reason(), e.getMessage()));
        }
        ProtocolVersion version = answerVersion.get();
        Supplier<Caller> authenticated = () -> authenticator.authenticate(clientCertificate);
        if (admission.onWorker()) {
            return respond(request, version, clientCertificate, authenticated, admission)
                    .thenApply(MessageProcessor::encode);
        }
        Optional<Caller> known = triedHere(request) ? NonBlocking.tryRun(authenticated) : Optional.empty();
        CompletableFuture<ResponseMessage> response = known.isPresent()
                ? respond(request, version, clientCertificate, known::get, admission)
                : CompletableFuture.supplyAsync(() -> respond(request, version, clientCertificate, authenticated,
                        Admission.ON_WORKER), admission.workers()).thenCompose(answer -> answer);
        return response.thenApply(MessageProcessor::encode);
    }

    /** A message the event loop tries: one Encrypt or Decrypt, outside a batch with Undo. */
    private static boolean triedHere(RequestMessage request) {
        return request.items().size() == 1
                && request.header().errorContinuation() != BatchErrorContinuation.UNDO
                && request.items().get(0).operation().filter(TRIED_ON_EVENT_LOOP::contains).isPresent();
    }

    /**
     * Where an item is admitted: on a worker, which may wait; or tried on an event loop, which
     * declines to {@code workers} what would wait, and sends refusals there to be answered.
     */
    private record Admission(Executor workers) {
        static final Admission ON_WORKER = new Admission(null);

        boolean onWorker() {
            return workers == null;
        }

        /** Where a refusal is answered: admitted on a worker, on the thread that met it; else on a worker. */
        Executor refusing() {
            return onWorker() ? Runnable::run : workers;
        }
    }

    private static CompletableFuture<byte[]> answer(ResponseMessage response) {
        return CompletableFuture.completedFuture(encode(response));
    }

    /** The same major version, at most the claimed minor: a 1.5 client is answered as 1.4. */
    private static Optional<ProtocolVersion> answeringVersion(ProtocolVersion claimed) {
        for (ProtocolVersion version : ProtocolVersion.SUPPORTED) {
            if (version.major() == claimed.major() && version.minor() <= claimed.minor()) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs the items in order. Each item but the last waits until its records are durable, since
     * a failed write fails it and may stop the batch; the last one's answer is the message's.
     */
    private CompletableFuture<ResponseMessage> respond(RequestMessage request, ProtocolVersion version,
                                                       X509Certificate clientCertificate, Supplier<Caller> caller,
                                                       Admission admission) {
        RequestHeader header = request.header();
        if (header.errorContinuation() == BatchErrorContinuation.UNDO) {
            return CompletableFuture.completedFuture(notUndoable(request).map(refusal -> messageFailure(version,
                    ResultReason.FEATURE_NOT_SUPPORTED, refusal)).orElseGet(() -> respondUndoable(request, version,
                    clientCertificate, caller)));
        }
        IdPlaceholder placeholder = new IdPlaceholder();
        Answers answers = new Answers(header);
        CompletableFuture<Outcome> running = null;
        for (BatchItem item : request.items()) {
            if (running != null && !answers.add(running.join())) {
                running = null;
                break;
            }
            running = run(item, header, version, clientCertificate, placeholder, caller, answers.nonce.isEmpty(),
                    admission);
        }
        // The last item's answer is built and encoded where its records became durable, often on
        // the store's committer thread: that is CPU work only, it never waits for the store (an
        // item failing there is an Internal or Sealed failure, never one that issues a Nonce).
        CompletableFuture<Void> settled = running == null ? CompletableFuture.completedFuture(null)
                : running.thenAccept(answers::add);
        return settled.thenApply(done -> answers.response(version));
    }

    /**
     * Batch Error Continuation Option Undo: the items run in order, each waited for, with their
     * changes remembered in one {@link UndoScope}; at the first failure the batch stops and the core
     * undoes what the items before wrote, in one atomic write. They then answer Operation Undone,
     * the failed one Operation Failed, and the items after it are not run, nor answered. If the
     * undo is refused (another client changed one of those objects since), the earlier items keep
     * their Success answers, since their changes stand, and the failed item's message says so.
     */
    private ResponseMessage respondUndoable(RequestMessage request, ProtocolVersion version,
                                            X509Certificate clientCertificate, Supplier<Caller> caller) {
        RequestHeader header = request.header();
        UndoScope scope = new UndoScope();
        Caller[] authenticated = {null}; // once per message: every item and the undo act as one caller
        Supplier<Caller> undoable = () -> {
            if (authenticated[0] == null) {
                authenticated[0] = caller.get();
            }
            return authenticated[0].undoableIn(scope);
        };
        IdPlaceholder placeholder = new IdPlaceholder();
        Answers answers = new Answers(header);
        List<String> ran = new ArrayList<>();
        for (BatchItem item : request.items()) {
            ran.add(ran.size() + 1 + ":" + item.operation().map(MessageProcessor::auditName)
                    .orElse("operation-" + item.operationCode()));
            if (!answers.add(run(item, header, version, clientCertificate, placeholder, undoable,
                    answers.nonce.isEmpty(), Admission.ON_WORKER).join())) {
                answers.undoBefore(undo(authenticated[0], scope, ran));
                break;
            }
        }
        return answers.response(version);
    }

    /**
     * Why a message with Batch Error Continuation Option Undo is refused before any item runs, if
     * it is: Tresor undoes only operations whose effect it can take back without harm to others.
     * ReKey (its new version may already be in use; its number would be given again), every
     * operation that counts against a key's usage limit or hands out an output, and every other
     * one outside {@link #UNDOABLE} are refused.
     */
    private static Optional<String> notUndoable(RequestMessage request) {
        for (int i = 0; i < request.items().size(); i++) {
            BatchItem item = request.items().get(i);
            Optional<Operation> operation = item.operation().filter(UNDOABLE::contains);
            if (operation.isEmpty()) {
                return Optional.of("Batch Error Continuation Option Undo is not supported with "
                        + item.operation().map(String::valueOf).orElse("operation " + item.operationCode())
                        + " (batch item " + (i + 1) + "); nothing was run");
            }
        }
        return Optional.empty();
    }

    /** Undoes what the items wrote; answers why it was refused, if it was. */
    private Optional<String> undo(Caller caller, UndoScope scope, List<String> items) {
        if (scope.isEmpty()) {
            return Optional.empty();
        }
        String undone = "kmip batch items " + String.join(",", items);
        try {
            keys.undo(caller, scope, undone.length() <= MAX_UNDONE_NAMES ? undone
                    : "kmip batch items 1.." + items.size());
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(KmipErrors.clientMessage(e, "undo of a KMIP batch"));
        }
    }

    /** One item's answer, and the Nonce of its Attestation Required refusal when it needs one. */
    private record Outcome(ResponseItem answer, Optional<Nonce> nonce) {
    }

    /** The answers of one message's items so far. */
    private final class Answers {
        private final RequestHeader header;
        private final List<ResponseItem> items = new ArrayList<>();
        private Optional<Nonce> nonce = Optional.empty();

        Answers(RequestHeader header) {
            this.header = header;
        }

        /** Adds an item's outcome; false if it ends the batch (a failure, unless under Batch Error Continuation Continue). */
        boolean add(Outcome outcome) {
            items.add(outcome.answer());
            nonce = nonce.or(outcome::nonce);
            return outcome.answer().status() == ResultStatus.SUCCESS
                    || header.errorContinuation() == BatchErrorContinuation.CONTINUE;
        }

        /**
         * The last item failed and the batch is undone: every item before it answers Operation
         * Undone; or, if the undo was {@code refused}, they stand and the failed item says why.
         */
        void undoBefore(Optional<String> refused) {
            int failed = items.size() - 1;
            ResponseItem failure = items.get(failed);
            if (refused.isPresent()) {
                items.set(failed, failure.withMessage(failure.message().orElse("failed")
                        + "; the items before it were not undone: " + refused.get()));
                return;
            }
            items.replaceAll(item -> item == failure ? item : item.undone());
        }

        ResponseMessage response(ProtocolVersion version) {
            ResponseMessage response = new ResponseMessage(version, clock.instant(), nonce, items);
            return header.maximumResponseSize()
                    .filter(max -> TtlvWriter.encodedLength(response.toTtlv()) > max)
                    .map(max -> tooLarge(response))
                    .orElse(response);
        }
    }

    /**
     * Runs one item; the outcome completes once its records are durable. A refusal of the item
     * itself arrives already complete (the core records it first), so the Nonce of an Attestation
     * Required refusal is issued on this thread; only a failed audit write arrives later, as an
     * Internal or Sealed failure.
     */
    private CompletableFuture<Outcome> run(BatchItem item, RequestHeader header, ProtocolVersion version,
                                           X509Certificate clientCertificate, IdPlaceholder placeholder,
                                           Supplier<Caller> caller, boolean mayIssueNonce, Admission admission) {
        Caller[] admitted = {null}; // for the Nonce of an Attestation Required refusal
        CompletableFuture<Ttlv> payload;
        try {
            Operation operation = item.operation().orElseThrow(() -> new KmipFailure(
                    ResultReason.OPERATION_NOT_SUPPORTED, "unknown operation " + item.operationCode()));
            OperationHandler handler = operations.handler(operation).orElseThrow(() -> new KmipFailure(
                    ResultReason.OPERATION_NOT_SUPPORTED, operation + " is not supported"));
            // Each batch item is one counted, audited call, however many core calls it takes.
            Function<Caller, Ttlv> call = itemCaller -> {
                admitted[0] = itemCaller;
                return handler.handle(new OperationContext(itemCaller, clientCertificate, header, placeholder, keys,
                        clock), item.payload());
            };
            payload = admission.onWorker()
                    ? keys.admittedAsync(caller.get(), auditName(operation), call, KmipErrors::auditCode)
                    : keys.admittedWithoutWaiting(caller.get(), auditName(operation), call, KmipErrors::auditCode,
                            admission.workers());
        } catch (RuntimeException e) {
            payload = CompletableFuture.failedFuture(e);
        }
        return payload.handle((answer, failure) -> failure == null
                ? CompletableFuture.completedFuture(new Outcome(ResponseItem.success(item, answer), Optional.empty()))
                : refusal(item, unwrapped(failure), header, version, admitted, mayIssueNonce, admission))
                .thenCompose(outcome -> outcome);
    }

    /**
     * Answers a refused item where the admission says. If the workers refuse that task (the
     * server is stopping), it is answered on this thread without a Nonce, since issuing one
     * writes; the refusal was already counted and recorded by the core, if at all, never here.
     */
    private CompletableFuture<Outcome> refusal(BatchItem item, RuntimeException e, RequestHeader header,
                                               ProtocolVersion version, Caller[] admitted, boolean mayIssueNonce,
                                               Admission admission) {
        try {
            return CompletableFuture.supplyAsync(() -> refused(item, e, header, version, admitted[0], mayIssueNonce),
                    admission.refusing());
        } catch (RejectedExecutionException stopping) {
            return CompletableFuture.completedFuture(refused(item, e, header, version, admitted[0], false));
        }
    }

    private Outcome refused(BatchItem item, RuntimeException e, RequestHeader header, ProtocolVersion version,
                            Caller admitted, boolean mayIssueNonce) {
        KmipErrors.Refusal refusal = KmipErrors.refusal(e, version, item.operation(), header.attestationCapable());
        Optional<Nonce> nonce = Optional.empty();
        if (refusal.reason() == ResultReason.ATTESTATION_REQUIRED && admitted != null && mayIssueNonce) {
            try {
                nonce = Optional.of(issueNonce(admitted));
            } catch (RuntimeException noNonce) {
                refusal = KmipErrors.refusal(noNonce, version, item.operation(), header.attestationCapable());
            }
        }
        return new Outcome(ResponseItem.failure(item, refusal.reason(), refusal.message()), nonce);
    }

    private static RuntimeException unwrapped(Throwable failure) {
        Throwable cause = failure instanceof CompletionException wrapped && wrapped.getCause() != null
                ? wrapped.getCause() : failure;
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    /** A single-use challenge of the core, as the Nonce the client must echo in its Attestation credential. */
    private Nonce issueNonce(Caller admitted) {
        Challenge challenge = keys.issueKmipChallenge(admitted);
        return new Nonce(Bytes.wrap(challenge.id().getBytes(StandardCharsets.US_ASCII)), challenge.nonce());
    }

    private static String auditName(Operation operation) {
        return "kmip." + operation.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Maximum Response Size exceeded: every item that carried a payload fails with Response Too Large. */
    private static ResponseMessage tooLarge(ResponseMessage response) {
        List<ResponseItem> items = new ArrayList<>();
        for (ResponseItem item : response.items()) {
            items.add(item.payload().isEmpty() ? item : new ResponseItem(item.operationCode(),
                    item.uniqueBatchItemId(), ResultStatus.OPERATION_FAILED,
                    Optional.of(ResultReason.RESPONSE_TOO_LARGE),
                    Optional.of("the response exceeds the Maximum Response Size"), Optional.empty()));
        }
        return new ResponseMessage(response.version(), response.timeStamp(), response.nonce(), items);
    }

    private ResponseMessage messageFailure(ProtocolVersion version, ResultReason reason, String message) {
        return new ResponseMessage(version, clock.instant(), List.of(ResponseItem.messageFailure(reason, message)));
    }

    private static byte[] encode(ResponseMessage response) {
        return TtlvWriter.write(response.toTtlv());
    }
}
