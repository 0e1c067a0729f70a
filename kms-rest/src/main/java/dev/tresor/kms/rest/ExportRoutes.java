package dev.tresor.kms.rest;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.MetadataExport;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Tresor extensions under the STACKIT prefix, for auditors and admins: the key architecture of
 * the KMS instance (no material), and its audit records in a time range
 * ({@code from <= time < to}, each bound optional, RFC 3339).
 */
final class ExportRoutes {
    private final KeyManagement keys;
    private final TenantCalls calls;

    ExportRoutes(KeyManagement keys, TenantCalls calls) {
        this.keys = keys;
        this.calls = calls;
    }

    void mount(Router router) {
        calls.guard(router.get(Paths.EXPORT + "/metadata")).handler(this::metadata);
        calls.guard(router.get(Paths.EXPORT + "/audit")).handler(this::audit);
    }

    private void metadata(RoutingContext ctx) {
        calls.run(ctx, keys::exportMetadata, export -> Replies.json(ctx, 200, representation(export)));
    }

    private static JsonObject representation(MetadataExport export) {
        MetadataExport.Counts counts = export.counts();
        return new JsonObject()
                .put("projectId", export.projectId())
                .put("regionId", export.regionId())
                .put("exportedAt", StackitJson.time(export.exportedAt()))
                .put("counts", new JsonObject()
                        .put("keyRings", counts.keyRings())
                        .put("keys", counts.keys())
                        .put("versions", counts.versions())
                        .put("wrappingKeys", counts.wrappingKeys()))
                .put("keyRings", StackitJson.array(export.keyRings(), ring -> ring(ring, export.exportedAt())));
    }

    private void audit(RoutingContext ctx) {
        Instant from = time(ctx, "from").orElse(Instant.EPOCH);
        Instant to = time(ctx, "to").orElse(Instant.MAX);
        calls.run(ctx, caller -> keys.exportAudit(caller, from, to), records -> Replies.json(ctx, 200,
                new JsonObject().put("records", StackitJson.array(records, ExportRoutes::auditRecord))));
    }

    private static Optional<Instant> time(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            throw KmsError.invalid("query parameter '" + name + "' must be an RFC 3339 time such as 2026-01-31T00:00:00Z");
        }
    }

    private static JsonObject auditRecord(AuditRecord record) {
        return new JsonObject()
                .put("sequence", record.sequence())
                .put("time", StackitJson.time(record.time()))
                .put("principal", record.principal())
                .put("tenant", record.tenant())
                .put("operation", record.operation())
                .put("resource", record.resource())
                .put("result", record.result())
                .put("details", new JsonObject(new LinkedHashMap<>(record.details())))
                .put("previousHash", record.previousHash())
                .put("hash", record.hash());
    }

    /** Wrapping key states are as of the export's time. */
    private static JsonObject ring(MetadataExport.RingExport ring, Instant exportedAt) {
        return StackitJson.keyRing(ring.keyRing())
                .put("keys", StackitJson.array(ring.keys(), key -> StackitJson.key(key.key())
                        .put("versions", StackitJson.array(key.versions(), StackitJson::version))))
                .put("wrappingKeys", StackitJson.array(ring.wrappingKeys(),
                        wrappingKey -> StackitJson.wrappingKey(wrappingKey, exportedAt)));
    }
}
