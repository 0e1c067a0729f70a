package dev.tresor.kms.bench.kmip;

import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One KMIP connection: mutual TLS 1.2 or 1.3, the server's name checked against its certificate,
 * one request in flight at a time. The handshake happens here, so a measured phase never pays it.
 */
final class KmipChannel implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    KmipChannel(SSLContext context, String host, int port) throws IOException {
        socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.startHandshake();
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
    }

    /** Sends one encoded request message and decodes the response message. */
    Ttlv call(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        byte[] header = new byte[TtlvReader.HEADER_BYTES];
        in.readFully(header);
        byte[] frame = Arrays.copyOf(header, TtlvReader.messageLength(header, TtlvLimits.DEFAULT));
        in.readFully(frame, header.length, frame.length - header.length);
        return TtlvReader.read(frame, TtlvLimits.DEFAULT);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
