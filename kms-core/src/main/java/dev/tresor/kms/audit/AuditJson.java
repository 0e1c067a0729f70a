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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

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
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final Instant YEAR_0 = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z");
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

    /**
     * One record as stored: the JSON object Jackson would write (same fields, order and escapes),
     * written by hand since every audited call pays for it.
     */
    static byte[] encode(AuditRecord record) {
        StringBuilder json = new StringBuilder(384);
        json.append("{\"sequence\":").append(record.sequence());
        json.append(",\"time\":\"");
        appendTime(json, record.time());
        json.append('"');
        field(json, "principal", record.principal());
        field(json, "tenant", record.tenant());
        field(json, "operation", record.operation());
        field(json, "resource", record.resource());
        field(json, "result", record.result());
        json.append(",\"details\":{");
        String separator = "";
        for (Map.Entry<String, String> detail : record.details().entrySet()) {
            json.append(separator);
            string(json, detail.getKey());
            json.append(':');
            string(json, detail.getValue());
            separator = ",";
        }
        json.append('}');
        field(json, "previousHash", record.previousHash());
        field(json, "hash", record.hash());
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@link Instant#toString}'s form (ISO-8601, seconds always, the fraction in groups of three
     * digits as needed) without its formatter, for the years 0 to 9999 a clock gives; any other
     * year through {@code toString} itself.
     */
    static void appendTime(StringBuilder json, Instant time) {
        if (time.isBefore(YEAR_0) || !time.isBefore(YEAR_10000)) {
            json.append(time);
            return;
        }
        LocalDateTime utc = LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, ZoneOffset.UTC);
        digits(json, utc.getYear(), 4).append('-');
        digits(json, utc.getMonthValue(), 2).append('-');
        digits(json, utc.getDayOfMonth(), 2).append('T');
        digits(json, utc.getHour(), 2).append(':');
        digits(json, utc.getMinute(), 2).append(':');
        digits(json, utc.getSecond(), 2);
        int nano = time.getNano();
        if (nano > 0) {
            json.append('.');
            if (nano % 1_000_000 == 0) {
                digits(json, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(json, nano / 1_000, 6);
            } else {
                digits(json, nano, 9);
            }
        }
        json.append('Z');
    }

    /** {@code value} with leading zeros to {@code width} digits. */
    private static StringBuilder digits(StringBuilder json, int value, int width) {
        for (int limit = 10, i = 1; i < width; i++, limit *= 10) {
            if (value < limit) {
                json.append('0');
            }
        }
        return json.append(value);
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":");
        string(json, value);
    }

    /**
     * A JSON string as Jackson writes it: quote, backslash, backspace, tab, newline, form feed and
     * carriage return with their short escapes, other control characters and both halves of a
     * character beyond the BMP as Unicode escapes (four upper-case hex digits), the rest as is.
     */
    private static void string(StringBuilder json, String value) {
        json.append('"');
        int plain = plainPrefix(value);
        json.append(value, 0, plain);
        for (int i = plain; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\t' -> json.append("\\t");
                case '\n' -> json.append("\\n");
                case '\f' -> json.append("\\f");
                case '\r' -> json.append("\\r");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        json.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** How many leading characters need no escape: most values are all of them, appended at once. */
    private static int plainPrefix(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                return i;
            }
        }
        return value.length();
    }

    static AuditRecord decode(byte[] stored) {
        try {
            return JSON.readValue(stored, AuditRecord.class);
        } catch (IOException e) {
            throw KmsError.internal("a stored audit record is unreadable", e);
        }
    }
}
