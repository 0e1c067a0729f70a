package dev.tresor.kms.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The TLS record work of one KMIP call in memory, without sockets: the client seals a request,
 * the server opens it and seals an answer of the same size, the client opens that. The client is
 * always the JDK's engine limited to {@code suite} (BoringSSL ignores a server's TLS 1.3 suite
 * list, so the client's offer picks it); the server is the engine under test, with the buffers Netty's SslHandler gives
 * it (heap for the JDK, direct for OpenSSL). The server's share is the difference between engines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class TlsRecordBenchmark {
    @Param({"jdk", "openssl"})
    String engine;

    @Param({"TLSv1.3:TLS_AES_256_GCM_SHA384", "TLSv1.3:TLS_AES_128_GCM_SHA256",
            "TLSv1.3:TLS_CHACHA20_POLY1305_SHA256", "TLSv1.2:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLSv1.2:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"})
    String suite;

    @Param("1024")
    int size;

    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer message;
    private ByteBuffer clientNet;
    private ByteBuffer clientApp;
    private ByteBuffer serverNet;
    private ByteBuffer serverApp;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] parts = suite.split(":");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X509Certificate certificate = selfSigned(keys);
        SslProvider provider = engine.equals("openssl") ? SslProvider.OPENSSL : SslProvider.JDK;
        server = SslContextBuilder.forServer(keys.getPrivate(), certificate).sslProvider(provider)
                .protocols("TLSv1.2", "TLSv1.3").ciphers(List.of(parts[1])).trustManager(certificate).clientAuth(ClientAuth.REQUIRE)
                .build().newEngine(ByteBufAllocator.DEFAULT);
        client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(parts[0])
                .ciphers(List.of(parts[1])).keyManager(keys.getPrivate(), certificate).trustManager(certificate)
                .build().newEngine(ByteBufAllocator.DEFAULT, "localhost", 5696);
        boolean direct = provider == SslProvider.OPENSSL;
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int application = Math.max(client.getSession().getApplicationBufferSize(),
                server.getSession().getApplicationBufferSize());
        clientNet = ByteBuffer.allocate(packet);
        clientApp = ByteBuffer.allocate(application);
        serverNet = direct ? ByteBuffer.allocateDirect(packet) : ByteBuffer.allocate(packet);
        serverApp = direct ? ByteBuffer.allocateDirect(application) : ByteBuffer.allocate(application);
        message = ByteBuffer.allocate(size);
        handshake();
        if (!server.getSession().getCipherSuite().equals(parts[1])
                || !server.getSession().getProtocol().equals(parts[0])) {
            throw new IllegalStateException("negotiated " + server.getSession().getProtocol() + " "
                    + server.getSession().getCipherSuite() + ", not " + suite);
        }
    }

    @Benchmark
    public int requestAndAnswer() throws SSLException {
        message.clear();
        clientNet.clear();
        client.wrap(message, clientNet);
        clientNet.flip();
        serverApp.clear();
        unwrapAll(server, clientNet, serverApp);
        serverApp.flip();
        serverNet.clear();
        server.wrap(serverApp, serverNet);
        serverNet.flip();
        clientApp.clear();
        return unwrapAll(client, serverNet, clientApp);
    }

    /** Opens every record {@code in} holds: a TLS 1.3 server may send its session tickets before the first answer. */
    private static int unwrapAll(SSLEngine side, ByteBuffer in, ByteBuffer out) throws SSLException {
        int produced = 0;
        while (in.hasRemaining()) {
            produced += side.unwrap(in, out).bytesProduced();
        }
        return produced;
    }

    /** Runs both engines' handshake in memory until neither has anything left to do. */
    private void handshake() throws SSLException {
        client.beginHandshake();
        server.beginHandshake();
        ByteBuffer toServer = ByteBuffer.allocateDirect(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocateDirect(1 << 17);
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer sink = ByteBuffer.allocateDirect(1 << 17);
        for (int round = 0; round < 100; round++) {
            step(client, empty, toServer, toClient, sink);
            step(server, empty, toClient, toServer, sink);
            if (done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0) {
                return;
            }
        }
        throw new IllegalStateException("the in-memory handshake did not finish");
    }

    /** One engine: wraps what it wants to send into {@code out}, unwraps what {@code in} holds. */
    private static void step(SSLEngine side, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
            throws SSLException {
        SSLEngineResult result;
        do {
            result = side.wrap(empty, out);
            runTasks(side);
        } while (result.bytesProduced() > 0);
        in.flip();
        while (in.hasRemaining()) {
            sink.clear();
            result = side.unwrap(in, sink);
            runTasks(side);
            if (result.bytesConsumed() == 0) {
                break;
            }
        }
        in.compact();
    }

    private static void runTasks(SSLEngine side) {
        Runnable task;
        while ((task = side.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static boolean done(SSLEngine side) {
        HandshakeStatus status = side.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    private static X509Certificate selfSigned(KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)),
                name, keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }
}
