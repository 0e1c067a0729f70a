package dev.tresor.kms.bench.kmip;

import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * One KMIP connection: mutual TLS 1.2 or 1.3 through an {@link SSLEngine} over a non-blocking
 * socket, the server's name checked against its certificate, one request in flight at a time.
 * The handshake happens here, so a measured phase never pays it. A phase drives many channels
 * from one thread through a selector ({@link #send}, {@link #flush}, {@link #receive}); set-up
 * requests use the blocking {@link #call}.
 */
final class KmipChannel implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final SocketChannel socket;
    private final SSLEngine engine;
    /** Waits for the socket in {@link #call} and the handshake; closed once a phase's selector drives it. */
    private Selector waiter;
    /** Bytes read from the socket that the engine has not unwrapped yet (write mode). */
    private ByteBuffer fromNetwork;
    /** Wrapped bytes not yet written to the socket (write mode). */
    private ByteBuffer toNetwork;
    /** Unwrapped bytes not yet taken as a message (write mode). */
    private ByteBuffer received;

    KmipChannel(SSLContext context, String host, int port) throws IOException {
        socket = SocketChannel.open();
        try {
            waiter = Selector.open();
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.socket().connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.configureBlocking(false);
            socket.register(waiter, 0);
            engine = context.createSSLEngine(host, port);
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
            fromNetwork = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            toNetwork = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            received = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            engine.beginHandshake();
            handshake();
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Sends one encoded request message and waits for the response message. */
    Ttlv call(byte[] request) throws IOException {
        send(request);
        while (!flush()) {
            await(SelectionKey.OP_WRITE);
        }
        for (Ttlv response = receive(); ; response = receive()) {
            if (response != null) {
                return response;
            }
            await(SelectionKey.OP_READ);
        }
    }

    /** From now on {@code selector} drives this channel ({@link #send}, {@link #flush}, {@link #receive}). */
    SelectionKey register(Selector selector) throws IOException {
        waiter.close();
        return socket.register(selector, SelectionKey.OP_READ);
    }

    /** Encrypts a request message for the socket; {@link #flush} writes it. */
    void send(byte[] request) throws IOException {
        ByteBuffer message = ByteBuffer.wrap(request);
        while (message.hasRemaining()) {
            wrap(message);
        }
    }

    /** Writes what the socket takes now; true once nothing is left to write. */
    boolean flush() throws IOException {
        toNetwork.flip();
        try {
            socket.write(toNetwork);
            return !toNetwork.hasRemaining();
        } finally {
            toNetwork.compact();
        }
    }

    /** The next response message if the socket holds all of it by now, else null (never waits). */
    Ttlv receive() throws IOException {
        while (true) {
            Ttlv message = message();
            if (message != null) {
                return message;
            }
            if (!unwrap() && !read()) {
                return null;
            }
        }
    }

    private void handshake() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    wrap(NOTHING);
                    while (!flush()) {
                        await(SelectionKey.OP_WRITE);
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrap() && !read()) {
                        await(SelectionKey.OP_READ);
                    }
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    // the engine may have wrapped the last flight while unwrapping the server's
                    while (!flush()) {
                        await(SelectionKey.OP_WRITE);
                    }
                    return;
                }
            }
        }
    }

    private void wrap(ByteBuffer source) throws IOException {
        SSLEngineResult result = engine.wrap(source, toNetwork);
        switch (result.getStatus()) {
            case OK -> afterEngine();
            case BUFFER_OVERFLOW -> toNetwork = grown(toNetwork, engine.getSession().getPacketBufferSize());
            case CLOSED -> throw new EOFException("the TLS session is closed");
            case BUFFER_UNDERFLOW -> throw new SSLException("wrap reported an underflow");
        }
    }

    /** Unwraps one TLS record if the socket's bytes hold a whole one; false if more must be read. */
    private boolean unwrap() throws IOException {
        fromNetwork.flip();
        SSLEngineResult result;
        try {
            result = engine.unwrap(fromNetwork, received);
        } finally {
            fromNetwork.compact();
        }
        switch (result.getStatus()) {
            case OK -> {
                afterEngine();
                return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
            }
            case BUFFER_OVERFLOW -> {
                received = grown(received, engine.getSession().getApplicationBufferSize());
                return true;
            }
            case BUFFER_UNDERFLOW -> {
                if (!fromNetwork.hasRemaining()) {
                    fromNetwork = grown(fromNetwork, engine.getSession().getPacketBufferSize());
                }
                return false;
            }
            default -> throw new EOFException("the server closed the TLS session");
        }
    }

    /** TLS 1.3 sends session tickets and key updates after the handshake; answer what they ask. */
    private void afterEngine() throws IOException {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> runTasks();
            case NEED_WRAP -> {
                if (engine.getSession().isValid() && !engine.isOutboundDone()) {
                    wrap(NOTHING);
                }
            }
            default -> {
            }
        }
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /** Reads what the socket holds now; false if it held nothing. */
    private boolean read() throws IOException {
        int count = socket.read(fromNetwork);
        if (count < 0) {
            throw new EOFException("the server closed the connection");
        }
        return count > 0;
    }

    /** A whole message from the unwrapped bytes, or null while it is incomplete. */
    private Ttlv message() {
        if (received.position() < TtlvReader.HEADER_BYTES) {
            return null;
        }
        byte[] header = Arrays.copyOf(received.array(), TtlvReader.HEADER_BYTES);
        int length = TtlvReader.messageLength(header, TtlvLimits.DEFAULT);
        if (received.position() < length) {
            if (received.capacity() < length) {
                received = grown(received, length);
            }
            return null;
        }
        byte[] frame = Arrays.copyOf(received.array(), length);
        received.flip().position(length);
        received.compact();
        return TtlvReader.read(frame, TtlvLimits.DEFAULT);
    }

    private void await(int operation) throws IOException {
        SelectionKey key = socket.keyFor(waiter);
        key.interestOps(operation);
        if (waiter.select(TIMEOUT_MILLIS) == 0) {
            throw new SocketTimeoutException("the server did not answer within " + TIMEOUT_MILLIS + " ms");
        }
        waiter.selectedKeys().clear();
    }

    private static ByteBuffer grown(ByteBuffer buffer, int atLeast) {
        ByteBuffer larger = ByteBuffer.allocate(Math.max(atLeast, buffer.capacity() * 2));
        return larger.put(buffer.flip());
    }

    /** Says goodbye as TLS asks (close_notify, best effort), then closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            if (engine != null && toNetwork != null && socket.isConnected() && !engine.isOutboundDone()) {
                engine.closeOutbound();
                engine.wrap(NOTHING, toNetwork);
                flush();
            }
        } catch (IOException e) {
            // the server may be gone already; the socket is closed below either way
        } finally {
            try {
                socket.close();
            } finally {
                if (waiter != null) {
                    waiter.close();
                }
            }
        }
    }
}
