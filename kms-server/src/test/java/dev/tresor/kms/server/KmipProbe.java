package dev.tresor.kms.server;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A KMIP client for tests, as a KMIP client reaches the server: mutual TLS with one PEM client
 * certificate and key, trusting one PEM CA; one connection per request message.
 */
final class KmipProbe {
    private final SSLContext tls;
    private final String host;
    private final int port;

    KmipProbe(Path ca, Path certificate, Path key, String host, int port) throws Exception {
        this.tls = tls(ca, certificate, key);
        this.host = host;
        this.port = port;
    }

    static Ttlv item(int operation, Ttlv... payload) {
        return Ttlv.structure(Tag.BATCH_ITEM, Ttlv.enumeration(Tag.OPERATION, operation),
                Ttlv.structure(Tag.REQUEST_PAYLOAD, payload));
    }

    static Ttlv message(int major, int minor, Ttlv... items) {
        List<Ttlv> fields = new ArrayList<>(List.of(Ttlv.structure(Tag.REQUEST_HEADER,
                Ttlv.structure(Tag.PROTOCOL_VERSION,
                        Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, major),
                        Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, minor)),
                Ttlv.integer(Tag.BATCH_COUNT, items.length))));
        fields.addAll(List.of(items));
        return Ttlv.structure(Tag.REQUEST_MESSAGE, fields);
    }

    /** Sends {@code request} and answers the response message. */
    Ttlv call(Ttlv request) throws Exception {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(host, port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(TtlvWriter.write(request));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] header = new byte[TtlvReader.HEADER_BYTES];
            in.readFully(header);
            byte[] message = new byte[TtlvReader.messageLength(header, TtlvLimits.DEFAULT)];
            System.arraycopy(header, 0, message, 0, header.length);
            in.readFully(message, header.length, message.length - header.length);
            return TtlvReader.read(message, TtlvLimits.DEFAULT);
        }
    }

    private static SSLContext tls(Path ca, Path certificate, Path key) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        try (var in = Files.newInputStream(certificate)) {
            identity.setKeyEntry("client", privateKey(key), new char[0],
                    new Certificate[] {x509.generateCertificate(in)});
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", x509.generateCertificate(in));
        }
        TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusted.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), trusted.getTrustManagers(), null);
        return context;
    }

    private static PrivateKey privateKey(Path pem) throws IOException {
        try (Reader reader = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(reader)) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
    }
}
