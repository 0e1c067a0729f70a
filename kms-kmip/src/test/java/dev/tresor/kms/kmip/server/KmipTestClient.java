package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A blocking KMIP client over a real TLS socket, for tests. */
final class KmipTestClient implements AutoCloseable {
    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** The TLS versions and cipher suites a client offers; an empty list offers the JDK's defaults. */
    record Offer(List<String> protocols, List<String> cipherSuites) {
        static final Offer DEFAULT = new Offer(List.of(), List.of());
    }

    KmipTestClient(SSLContext context, int port) throws IOException {
        this(context, port, Offer.DEFAULT);
    }

    KmipTestClient(SSLContext context, int port, Offer offer) throws IOException {
        socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        if (!offer.protocols().isEmpty()) {
            socket.setEnabledProtocols(offer.protocols().toArray(String[]::new));
        }
        if (!offer.cipherSuites().isEmpty()) {
            socket.setEnabledCipherSuites(offer.cipherSuites().toArray(String[]::new));
        }
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Ttlv call(Ttlv request) throws IOException {
        return TtlvReader.read(exchange(TtlvWriter.write(request)), TtlvLimits.DEFAULT);
    }

    /** Sends raw bytes and reads one framed answer; fails with an IOException if the server closes instead. */
    byte[] exchange(byte[] raw) throws IOException {
        send(raw);
        return receive();
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    byte[] receive() throws IOException {
        byte[] header = new byte[8];
        in.readFully(header);
        int length = TtlvReader.messageLength(header, TtlvLimits.DEFAULT);
        byte[] frame = Arrays.copyOf(header, length);
        in.readFully(frame, 8, length - 8);
        return frame;
    }

    /** True when the server has closed the connection (end of stream or reset). */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
