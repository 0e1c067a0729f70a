package dev.tresor.kms.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One Intel PCS document ({@code {"tcbInfo"|"enclaveIdentity": {...}, "signature": hex}}). The
 * signature covers the exact bytes of the inner object as served, so they are cut out of the
 * input by token offsets and never re-serialised.
 */
final class SignedCollateral {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String name;
    private final byte[] signedBytes;
    private final byte[] signature;
    private final JsonNode body;

    private SignedCollateral(String name, byte[] signedBytes, byte[] signature, JsonNode body) {
        this.name = name;
        this.signedBytes = signedBytes;
        this.signature = signature;
        this.body = body;
    }

    static SignedCollateral parse(byte[] document, String member) {
        try (JsonParser parser = JSON.createParser(document)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw Reason.COLLATERAL_INVALID.error(member + " document is not a JSON object");
            }
            byte[] signed = null;
            String signatureHex = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals(member) && value == JsonToken.START_OBJECT) {
                    int start = (int) parser.currentTokenLocation().getByteOffset();
                    parser.skipChildren();
                    int end = (int) parser.currentLocation().getByteOffset();
                    signed = Arrays.copyOfRange(document, start, end);
                } else if (field.equals("signature") && value == JsonToken.VALUE_STRING) {
                    signatureHex = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
            if (signed == null || signatureHex == null) {
                throw Reason.COLLATERAL_INVALID.error(member + " document lacks the object or its signature");
            }
            return new SignedCollateral(member, signed, HexFormat.of().parseHex(signatureHex),
                    MAPPER.readTree(signed));
        } catch (IOException | IllegalArgumentException e) {
            throw Reason.COLLATERAL_INVALID.error(member + " document does not parse");
        }
    }

    String name() {
        return name;
    }

    byte[] signedBytes() {
        return signedBytes.clone();
    }

    byte[] signature() {
        return signature.clone();
    }

    JsonNode body() {
        return body;
    }

    String text(String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isValueNode()) {
            throw Reason.COLLATERAL_INVALID.error(name + " lacks " + field);
        }
        return node.asText();
    }

    byte[] hex(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw Reason.COLLATERAL_INVALID.error(name + " lacks " + field);
        }
        try {
            return HexFormat.of().parseHex(value.asText());
        } catch (IllegalArgumentException e) {
            throw Reason.COLLATERAL_INVALID.error(name + " " + field + " is not hex");
        }
    }

    Instant instant(String field) {
        try {
            return Instant.parse(text(field));
        } catch (DateTimeParseException e) {
            throw Reason.COLLATERAL_INVALID.error(name + " " + field + " is not a time");
        }
    }

    void requireCurrent(Instant now) {
        if (now.isBefore(instant("issueDate")) || now.isAfter(instant("nextUpdate"))) {
            throw Reason.COLLATERAL_STALE.error(name + " is valid from " + text("issueDate") + " to "
                    + text("nextUpdate") + ", not at " + now);
        }
    }
}
