package dev.tresor.kms.kmip.ttlv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The JSON profile's spellings, and the message limits applied before a deep or large tree is built. */
class TtlvJsonTest {
    @Test
    void readsTheProfilesSpellingsOfValues() {
        Ttlv item = TtlvJson.read("""
                {"tag": "Attributes", "value": [
                  {"tag": "CryptographicAlgorithm", "type": "Enumeration", "value": "AES"},
                  {"tag": "0x42002A", "type": "Integer", "value": 256},
                  {"tag": "CryptographicUsageMask", "type": "Integer", "value": "Encrypt|Decrypt"},
                  {"tag": "ObjectType", "type": "Enumeration", "value": 2},
                  {"tag": "Extractable", "type": "Boolean", "value": false},
                  {"tag": "ActivationDate", "type": "DateTime", "value": "2026-01-01T00:00:00+00:00"},
                  {"tag": "ApplicationData", "type": "ByteString", "value": "00FF"}
                ]}""", TtlvLimits.DEFAULT);
        assertEquals(3, item.require(Tag.CRYPTOGRAPHIC_ALGORITHM).asEnum());
        assertEquals(256, item.require(Tag.CRYPTOGRAPHIC_LENGTH).asInt());
        assertEquals(0x0C, item.require(Tag.CRYPTOGRAPHIC_USAGE_MASK).asInt());
        assertEquals(2, item.require(Tag.OBJECT_TYPE).asEnum());
        assertEquals(false, item.require(Tag.EXTRACTABLE).asBoolean());
        assertEquals(2, item.require(Tag.APPLICATION_DATA).asBytes().length());
    }

    @Test
    void writesNumbersAsNumbersAndMasksAsNames() {
        Ttlv item = Ttlv.structure(Tag.ATTRIBUTES, Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C));
        JsonObject json = new JsonObject(TtlvJson.write(item));
        assertEquals("Attributes", json.getString("tag"));
        assertTrue(!json.containsKey("type"), "a structure has no type");
        assertEquals(128, json.getJsonArray("value").getJsonObject(0).getInteger("value"));
        assertEquals("Encrypt|Decrypt", json.getJsonArray("value").getJsonObject(1).getString("value"));
        assertEquals(item, TtlvJson.read(json.encode(), TtlvLimits.DEFAULT));
    }

    @Test
    void refusesWhatIsNotTtlvAndWhatExceedsTheLimits() {
        assertInvalid("[1]", "not a JSON object");
        assertInvalid("{\"tag\": \"NoSuchTag\", \"value\": []}", "unknown tag NoSuchTag");
        assertInvalid("{\"tag\": \"Attributes\", \"value\": 5}", "is not an array");
        assertInvalid("{\"tag\": \"CryptographicLength\", \"type\": \"Integer\", \"value\": 1.5}", "bad Integer value");
        String deep = "{\"tag\": \"Attributes\", \"value\": [".repeat(3) + "]}".repeat(3);
        KmsError tooDeep = assertThrows(KmsError.class, () -> TtlvJson.read(deep, new TtlvLimits(1 << 20, 2, 100)));
        assertTrue(tooDeep.getMessage().contains("deeper than 2"), tooDeep.getMessage());
        String wide = "{\"tag\": \"Attributes\", \"value\": ["
                + "{\"tag\": \"CryptographicLength\", \"type\": \"Integer\", \"value\": 1},".repeat(3)
                .replaceAll(",$", "") + "]}";
        KmsError tooMany = assertThrows(KmsError.class, () -> TtlvJson.read(wide, new TtlvLimits(1 << 20, 8, 3)));
        assertTrue(tooMany.getMessage().contains("more than 3 items"), tooMany.getMessage());
    }

    private static void assertInvalid(String json, String messagePart) {
        KmsError e = assertThrows(KmsError.class, () -> TtlvJson.read(json, TtlvLimits.DEFAULT));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
}
