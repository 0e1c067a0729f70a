package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Frames TTLV on one socket: reads the 8-byte header, refuses a frame over the length limit (or
 * not a structure) by closing the connection before buffering its body, then answers each
 * request on a worker thread. The socket is paused while a request is processed, so answers
 * leave in request order and a client cannot queue unbounded work. When the server shuts down, an
 * idle connection closes at once and a busy one after sending the answer it is working on.
 */
final class KmipConnection {
    private static final Logger LOG = Logger.getLogger(KmipConnection.class.getName());

    private final Vertx vertx;
    private final NetSocket socket;
    private final MessageProcessor processor;
    private final TtlvLimits limits;
    private final X509Certificate clientCertificate;
    private Buffer pending = Buffer.buffer();
    private int frameLength = -1;
    private boolean busy;
    private boolean shuttingDown;

    private KmipConnection(Vertx vertx, NetSocket socket, MessageProcessor processor, TtlvLimits limits,
                           X509Certificate clientCertificate) {
        this.vertx = vertx;
        this.socket = socket;
        this.processor = processor;
        this.limits = limits;
        this.clientCertificate = clientCertificate;
    }

    static void serve(Vertx vertx, NetSocket socket, MessageProcessor processor, TtlvLimits limits) {
        X509Certificate certificate;
        try {
            List<Certificate> chain = socket.peerCertificates();
            certificate = (X509Certificate) chain.get(0);
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            socket.close();
            return;
        }
        KmipConnection connection = new KmipConnection(vertx, socket, processor, limits, certificate);
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
        vertx.executeBlocking(() -> processor.process(frame, clientCertificate), false)
                .onComplete(result -> {
                    busy = false;
                    if (result.failed()) {
                        LOG.log(Level.SEVERE, "KMIP request processing failed", result.cause());
                        socket.close();
                        return;
                    }
                    socket.write(Buffer.buffer(result.result()));
                    if (shuttingDown) {
                        socket.close();
                        return;
                    }
                    socket.resume();
                    nextFrame();
                });
    }
}
