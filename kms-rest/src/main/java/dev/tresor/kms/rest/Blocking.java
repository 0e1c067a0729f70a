package dev.tresor.kms.rest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;

/**
 * The only way REST code leaves the event loop. Every task is unordered: requests are
 * independent, and the ordered default would serialise them per connection context. Core calls
 * get a pool of their own, larger than Vert.x's default 20 workers: they mostly wait for the
 * audit log's shared fsync, and the more calls wait together, the more share one write. Key
 * generation (RSA-4096 takes seconds) gets its own small pool so it cannot occupy the workers
 * that serve encrypt and decrypt.
 */
public final class Blocking {
    static final String CORE_POOL = "tresor-core";
    static final String KEY_GENERATION_POOL = "tresor-key-generation";
    static final int CORE_THREADS = 64;

    private final WorkerExecutor core;
    private final WorkerExecutor keyGeneration;

    Blocking(Vertx vertx, int keyGenerationThreads) {
        this.core = vertx.createSharedWorkerExecutor(CORE_POOL, CORE_THREADS);
        this.keyGeneration = vertx.createSharedWorkerExecutor(KEY_GENERATION_POOL, keyGenerationThreads);
    }

    /** Runs a core call on the core pool. */
    public <T> Future<T> run(Callable<T> work) {
        return core.executeBlocking(work, false);
    }

    /** Runs a call that may generate key material on the key-generation pool. */
    <T> Future<T> generate(Callable<T> work) {
        return keyGeneration.executeBlocking(work, false);
    }

    Future<Void> close() {
        return Future.all(core.close(), keyGeneration.close()).mapEmpty();
    }
}
