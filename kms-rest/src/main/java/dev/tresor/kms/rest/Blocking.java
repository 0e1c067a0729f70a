package dev.tresor.kms.rest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;

/**
 * The only way REST code leaves the event loop. Every task is unordered: requests are
 * independent, and the ordered default would serialise them per connection context. Key
 * generation (RSA-4096 takes seconds) gets its own small named pool so it cannot occupy the
 * workers that serve encrypt and decrypt.
 */
final class Blocking {
    static final String KEY_GENERATION_POOL = "tresor-key-generation";

    private final Vertx vertx;
    private final WorkerExecutor keyGeneration;

    Blocking(Vertx vertx, int keyGenerationThreads) {
        this.vertx = vertx;
        this.keyGeneration = vertx.createSharedWorkerExecutor(KEY_GENERATION_POOL, keyGenerationThreads);
    }

    /** Runs a core call on a worker thread. */
    <T> Future<T> run(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    /** Runs a call that may generate key material on the key-generation pool. */
    <T> Future<T> generate(Callable<T> work) {
        return keyGeneration.executeBlocking(work, false);
    }

    Future<Void> close() {
        return keyGeneration.close();
    }
}
