package dev.tresor.kms.rest;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A request body, checked field by field before any work: each problem is a 400 naming the field.
 * Members the API does not define are ignored; {@code null} counts as absent.
 */
final class JsonBody {
    /** The plaintext (encrypt) and message (sign) limit, after base64 decoding. */
    static final int MAX_DATA_BYTES = 64 * 1024;
    static final int MAX_DISPLAY_NAME = 64;
    static final int MAX_DESCRIPTION = 256;
    private static final Pattern DISPLAY_NAME = Pattern.compile("[a-zA-Z0-9_-]+");

    private final JsonObject json;

    private JsonBody(JsonObject json) {
        this.json = json;
    }

    static JsonBody of(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw KmsError.invalid("a JSON request body is required");
        }
        Object value;
        try {
            value = Json.decodeValue(body);
        } catch (DecodeException e) {
            throw KmsError.invalid("request body is not valid JSON");
        }
        if (!(value instanceof JsonObject object)) {
            throw KmsError.invalid("request body must be a JSON object");
        }
        return new JsonBody(object);
    }

    String displayName() {
        String name = string("displayName");
        if (name.length() > MAX_DISPLAY_NAME || !DISPLAY_NAME.matcher(name).matches()) {
            throw KmsError.invalid("field 'displayName' must be 1 to " + MAX_DISPLAY_NAME
                    + " characters matching ^[a-zA-Z0-9_-]+$");
        }
        return name;
    }

    Optional<String> description() {
        Optional<String> description = optionalString("description");
        if (description.isPresent() && description.get().length() > MAX_DESCRIPTION) {
            throw KmsError.invalid("field 'description' must be at most " + MAX_DESCRIPTION + " characters");
        }
        return description;
    }

    String string(String field) {
        return optionalString(field).orElseThrow(() -> KmsError.invalid("field '" + field + "' is required"));
    }

    Optional<String> optionalString(String field) {
        Object value = json.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw KmsError.invalid("field '" + field + "' must be a string");
        }
        return Optional.of(text);
    }

    boolean optionalBoolean(String field, boolean absent) {
        Object value = json.getValue(field);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof Boolean flag)) {
            throw KmsError.invalid("field '" + field + "' must be true or false");
        }
        return flag;
    }

    Optional<Long> optionalPositiveLong(String field) {
        Object value = json.getValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1) {
            throw KmsError.invalid("field '" + field + "' must be a positive integer");
        }
        return Optional.of(((Number) value).longValue());
    }

    int positiveInt(String field) {
        return Math.toIntExact(optionalPositiveLong(field)
                .filter(n -> n <= Integer.MAX_VALUE)
                .orElseThrow(() -> KmsError.invalid("field '" + field + "' is required, a positive integer")));
    }

    String uuid(String field) {
        return PathParams.uuid(string(field), "field '" + field + "'");
    }

    /** A required enum member, matched exactly (case-sensitive) against the wire names. */
    <E extends Enum<E>> E enumValue(String field, E[] values, Function<E, String> wireName) {
        return optionalEnum(field, values, wireName)
                .orElseThrow(() -> KmsError.invalid("field '" + field + "' is required, one of " + names(values, wireName)));
    }

    <E extends Enum<E>> Optional<E> optionalEnum(String field, E[] values, Function<E, String> wireName) {
        return optionalString(field).map(text -> Arrays.stream(values)
                .filter(v -> wireName.apply(v).equals(text))
                .findFirst()
                .orElseThrow(() -> KmsError.invalid("field '" + field + "' must be one of " + names(values, wireName))));
    }

    /**
     * A base64 member (standard or URL-safe alphabet, padding optional) of at most
     * {@code maxBytes} decoded bytes; the length is checked before anything is decoded.
     */
    Bytes base64(String field, int maxBytes) {
        String text = string(field);
        long maxChars = 4L * ((maxBytes + 2L) / 3);
        if (text.length() > maxChars) {
            throw KmsError.invalid("field '" + field + "' exceeds " + maxBytes + " bytes");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw KmsError.invalid("field '" + field + "' is not valid base64");
        }
        if (decoded.length > maxBytes) {
            throw KmsError.invalid("field '" + field + "' exceeds " + maxBytes + " bytes");
        }
        return Bytes.wrap(decoded);
    }

    private static <E> String names(E[] values, Function<E, String> wireName) {
        return Arrays.stream(values).map(wireName).collect(Collectors.joining(", ", "[", "]"));
    }
}
