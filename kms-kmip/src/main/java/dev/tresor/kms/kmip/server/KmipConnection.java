package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Frames TTLV on one socket: reads the 8-byte header, refuses a frame over the length limit (or
 * not a structure) by closing the connection before buffering its body, then answers each
 * request: an Encrypt or Decrypt that needs nothing that waits on this event loop, any other on a
 * worker thread ({@link MessageProcessor#process(byte[], X509Certificate, Executor)}). The worker
 * is free again once the answer waits only for its audit records to reach the disk; the answer
 * is written on the connection's event loop when they have.
 * The socket is paused while a request is processed, so answers leave in request order and a
 * client cannot queue unbounded work. When the server shuts down, an idle connection closes at
 * once and a busy one after sending the answer it is working on.
 */
final class KmipConnection {
    private static final Logger LOG = Logger.getLogger(KmipConnection.class.getName());

    private final Context context;
    private final Executor workers;
    private final NetSocket socket;
    private final MessageProcessor processor;
    private final TtlvLimits limits;
    private final X509Certificate clientCertificate;
    private Buffer pending = Buffer.buffer();
    private int frameLength = -1;
    private boolean busy;
    private boolean shuttingDown;

    private KmipConnection(Context context, Executor workers, NetSocket socket, MessageProcessor processor,
                           TtlvLimits limits, X509Certificate clientCertificate) {
        this.context = context;
        this.workers = workers;
        this.socket = socket;
        this.processor = processor;
        this.limits = limits;
        this.clientCertificate = clientCertificate;
    }

    /** Serves {@code socket}; called on its event loop. */
    static void serve(Executor workers, NetSocket socket, MessageProcessor processor, TtlvLimits limits) {
        X509Certificate certificate;
        try {
            List<Certificate> chain = socket.peerCertificates();
            certificate = (X509Certificate) chain.get(0);
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            socket.close();
            return;
        }
        KmipConnection connection = new KmipConnection(Vertx.currentContext(), workers, socket, processor, limits,
                certificate);
        socket.handler(connection::received);
        socket.shutdownHandler(ignored -> connection.shutdown());
    }

    private void shutdown() {
        shuttingDown = true;
        if (!busy) {
            socket.close();
        }
    }

    private void received(Buffer data) {
        pending.appendBuffer(data);
        nextFrame();
    }

    private void nextFrame() {
        if (busy) {
            return; // data a resume() delivers waits until the request in flight is answered
        }
        if (frameLength < 0 && pending.length() >= TtlvReader.HEADER_BYTES) {
            try {
                frameLength = TtlvReader.messageLength(pending.getBytes(0, TtlvReader.HEADER_BYTES), limits);
            } catch (KmsError e) {
                LOG.fine(() -> "closing KMIP connection: " + e.getMessage());
                socket.close();
                return;
            }
        }
        if (frameLength < 0 || pending.length() < frameLength) {
            return;
        }
        byte[] frame = pending.getBytes(0, frameLength);
        pending = pending.getBuffer(frameLength, pending.length());
        frameLength = -1;
        socket.pause();
        busy = true;
        CompletableFuture<byte[]> answer;
        try {
            answer = processor.process(frame, clientCertificate, workers);
        } catch (RejectedExecutionException stopped) {
            socket.close();
            return;
        } catch (RuntimeException | Error e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((bytes, failure) -> context.runOnContext(ignored -> answered(bytes, failure)));
    }

    private void answered(byte[] answer, Throwable failure) {
        busy = false;
        if (failure != null) {
            LOG.log(Level.SEVERE, "KMIP request processing failed", failure);
            socket.close();
            return;
        }
        socket.write(Buffer.buffer(answer));
        if (shuttingDown) {
            socket.close();
            return;
        }
        socket.resume();
        nextFrame();
    }
}
