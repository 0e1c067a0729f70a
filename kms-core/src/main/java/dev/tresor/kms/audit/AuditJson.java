package dev.tresor.kms.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.util.List;

/**
 * Audit records as JSON, for storage and export: one object per record with the fields of
 * {@link AuditRecord}, {@code time} as ISO-8601 with full precision (the hash covers nanoseconds).
 * Reading is strict: an unknown or missing field makes the input malformed.
 */
public final class AuditJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();
    private static final TypeReference<List<AuditRecord>> RECORDS = new TypeReference<>() {
    };

    private AuditJson() {
    }

    public static String write(List<AuditRecord> records) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(records);
        } catch (JsonProcessingException e) {
            throw KmsError.internal("cannot encode the audit export", e);
        }
    }

    /** Parses an export; {@code INVALID_ARGUMENT} naming the problem if it is not one. */
    public static List<AuditRecord> read(String json) {
        try {
            List<AuditRecord> records = JSON.readValue(json, RECORDS);
            if (records == null || records.contains(null)) {
                throw KmsError.invalid("an audit export is a JSON array of records");
            }
            return records;
        } catch (JsonProcessingException e) {
            throw KmsError.invalid("malformed audit export: " + e.getOriginalMessage());
        }
    }

    static byte[] encode(AuditRecord record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw KmsError.internal("cannot encode an audit record", e);
        }
    }

    static AuditRecord decode(byte[] stored) {
        try {
            return JSON.readValue(stored, AuditRecord.class);
        } catch (IOException e) {
            throw KmsError.internal("a stored audit record is unreadable", e);
        }
    }
}
