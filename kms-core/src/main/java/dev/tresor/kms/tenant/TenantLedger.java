package dev.tresor.kms.tenant;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.store.StoredJson;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where projects, API tokens and client certificates live, and their JSON form:
 * {@code sys/project/{id}}, {@code sys/token/{id}}, {@code sys/cert/{sha256 fingerprint}}.
 */
final class TenantLedger {
    /** A token as stored: its listing and the SHA-256 of its secret. */
    record StoredToken(IssuedToken token, String secretSha256) {
    }

    /**
     * A project as stored: the legacy opt-ins are flat fields, so a record written before an opt-in
     * existed reads it as off.
     */
    record StoredProject(String id, Instant createdAt, long callsPerHour, boolean kmipExportableByDefault,
                         boolean kmipAesMacWithCipher) {
        static StoredProject of(Project project) {
            return new StoredProject(project.id(), project.createdAt(), project.callsPerHour(),
                    project.kmipLegacy().exportableByDefault(), project.kmipLegacy().aesMacWithCipher());
        }

        Project project() {
            return new Project(id, createdAt, callsPerHour,
                    new KmipLegacy(kmipExportableByDefault, kmipAesMacWithCipher));
        }
    }

    private final BarrierStore store;

    TenantLedger(BarrierStore store) {
        this.store = store;
    }

    BarrierStore.Batch batch() {
        return store.batch();
    }

    Optional<Project> project(String id) {
        return read("sys/project/" + id, StoredProject.class).map(StoredProject::project);
    }

    List<Project> projects() {
        return readAll("sys/project/", StoredProject.class).stream().map(StoredProject::project).toList();
    }

    void put(BarrierStore.Batch batch, Project project) {
        batch.put("sys/project/" + project.id(), StoredJson.encode(StoredProject.of(project)));
    }

    Optional<StoredToken> token(String id) {
        return read("sys/token/" + id, StoredToken.class);
    }

    List<StoredToken> tokens() {
        return readAll("sys/token/", StoredToken.class);
    }

    void put(BarrierStore.Batch batch, StoredToken token) {
        batch.put("sys/token/" + token.token().id(), StoredJson.encode(token));
    }

    Optional<ClientCertificate> certificate(String fingerprint) {
        return read("sys/cert/" + fingerprint, ClientCertificate.class);
    }

    List<ClientCertificate> certificates() {
        return readAll("sys/cert/", ClientCertificate.class);
    }

    void put(BarrierStore.Batch batch, ClientCertificate certificate) {
        batch.put("sys/cert/" + certificate.fingerprint(), StoredJson.encode(certificate));
    }

    private <T> Optional<T> read(String path, Class<T> type) {
        return store.get(path).map(bytes -> StoredJson.decode(bytes, type));
    }

    private <T> List<T> readAll(String prefix, Class<T> type) {
        return store.scan(prefix).stream().map(entry -> StoredJson.decode(entry.getValue(), type)).toList();
    }
}
