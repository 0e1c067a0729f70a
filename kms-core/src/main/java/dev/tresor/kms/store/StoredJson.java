package dev.tresor.kms.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;

/**
 * The JSON form of stored records (key rings, keys, versions, projects, tokens ...): record
 * components by name, {@code Optional} as value-or-absent, instants as ISO-8601. Unknown fields
 * are ignored so older servers read newer records.
 */
public final class StoredJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private StoredJson() {
    }

    public static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw KmsError.internal("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw KmsError.internal("stored " + type.getSimpleName() + " is unreadable", e);
        }
    }
}
