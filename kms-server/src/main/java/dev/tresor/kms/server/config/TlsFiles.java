package dev.tresor.kms.server.config;

import java.nio.file.Path;
import java.util.Objects;

/** A listener's PEM certificate chain and PKCS#8 private key. */
public record TlsFiles(Path certificate, Path privateKey) {
    public TlsFiles {
        Objects.requireNonNull(certificate);
        Objects.requireNonNull(privateKey);
    }
}
