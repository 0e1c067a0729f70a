package dev.tresor.kms.server.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** What a client of a dev server needs, as {@code dev.json} holds it. */
public record DevFacts(String projectId, String regionId, String adminToken, URI restUrl, String kmipHost,
                       int kmipPort, Path caFile, Path kmipClientCertificate, Path kmipClientKey, Path pkcs11Conf) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public DevFacts {
        Objects.requireNonNull(projectId);
        Objects.requireNonNull(regionId);
        Objects.requireNonNull(adminToken);
        Objects.requireNonNull(restUrl);
        Objects.requireNonNull(kmipHost);
        Objects.requireNonNull(caFile);
        Objects.requireNonNull(kmipClientCertificate);
        Objects.requireNonNull(kmipClientKey);
        Objects.requireNonNull(pkcs11Conf);
    }

    /** The facts in {@code file}, or empty if it does not exist; unreadable content is an error. */
    public static Optional<DevFacts> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = JSON.readTree(file.toFile());
            return Optional.of(new DevFacts(text(json, "projectId", file), text(json, "regionId", file),
                    text(json, "adminToken", file), URI.create(text(json, "restUrl", file)),
                    text(json, "kmipHost", file), json.path("kmipPort").asInt(),
                    Path.of(text(json, "caFile", file)), Path.of(text(json, "kmipClientCert", file)),
                    Path.of(text(json, "kmipClientKey", file)), Path.of(text(json, "pkcs11Conf", file))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String text(JsonNode json, String field, Path file) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalStateException(file + " lacks the text field " + field);
        }
        return value.asText();
    }

    /** Owner-only, since it holds the admin token. */
    void write(Path file) {
        ObjectNode json = JSON.createObjectNode()
                .put("projectId", projectId)
                .put("regionId", regionId)
                .put("adminToken", adminToken)
                .put("restUrl", restUrl.toString())
                .put("kmipHost", kmipHost)
                .put("kmipPort", kmipPort)
                .put("caFile", caFile.toString())
                .put("kmipClientCert", kmipClientCertificate.toString())
                .put("kmipClientKey", kmipClientKey.toString())
                .put("pkcs11Conf", pkcs11Conf.toString());
        try {
            DevFiles.writePrivate(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "DevFacts[project " + projectId + "/" + regionId + ", " + restUrl + ", kmip " + kmipHost + ":" + kmipPort
                + ", token ***]";
    }
}
