#include "test.h"
#include "tresor.h"

#include <stdlib.h>
#include <string.h>

/* PyKMIP 0.10's AES-GCM Encrypt request at protocol 1.2 (KMIP.md §5), 216 bytes. */
static const char *PYKMIP_ENCRYPT =
    "42007801000000d04200770100000038420069010000002042006a0200000004"
    "000000010000000042006b0200000004000000020000000042000d0200000004"
    "000000010000000042000f010000008842005c05000000040000001f00000000"
    "420079010000007042009407000000026b3100000000000042002b0100000040"
    "4200110500000004000000090000000042002805000000040000000300000000"
    "4200c5060000000800000000000000014200ce02000000040000001000000000"
    "4200c2080000001000000000000000000000000000000000";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n && i < cap; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void write_pykmip_request(ttlv_writer *w)
{
    static const uint8_t zeros[16] = {0};
    ttlv_begin(w, TAG_REQUEST_MESSAGE);
    ttlv_begin(w, TAG_REQUEST_HEADER);
    ttlv_begin(w, TAG_PROTOCOL_VERSION);
    ttlv_put_int(w, TAG_PROTOCOL_MAJOR, 1);
    ttlv_put_int(w, TAG_PROTOCOL_MINOR, 2);
    ttlv_end(w);
    ttlv_put_int(w, TAG_BATCH_COUNT, 1);
    ttlv_end(w);
    kmip_item_begin(w, KMIP_OP_ENCRYPT);
    kmip_put_uid(w, "k1");
    ttlv_begin(w, TAG_CRYPTO_PARAMETERS);
    ttlv_put_enum(w, TAG_BLOCK_CIPHER_MODE, KMIP_MODE_GCM);
    ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, KMIP_ALG_AES);
    ttlv_put_bool(w, TAG_RANDOM_IV, 1);
    ttlv_put_int(w, TAG_TAG_LENGTH, 16);
    ttlv_end(w);
    ttlv_put_bytes(w, TAG_DATA, zeros, sizeof(zeros));
    kmip_item_end(w);
    ttlv_end(w);
}

TEST(writer_encodes_a_pykmip_request_byte_for_byte)
{
    uint8_t want[256];
    size_t n = unhex(PYKMIP_ENCRYPT, want, sizeof(want));
    ttlv_writer w;
    ttlv_writer_init(&w);
    write_pykmip_request(&w);
    CHECK(ttlv_writer_ok(&w));
    CHECK(n == 216);
    CHECK(w.len == n && !memcmp(w.buf, want, n));
    ttlv_writer_free(&w);
}

TEST(reader_finds_fields_of_a_valid_message)
{
    uint8_t msg[256];
    size_t n = unhex(PYKMIP_ENCRYPT, msg, sizeof(msg));
    ttlv_item root, item, payload, params;
    CHECK(ttlv_validate(msg, n, &root));
    CHECK(root.tag == TAG_REQUEST_MESSAGE && root.type == TTLV_STRUCTURE);
    CHECK(ttlv_find(&root, TAG_BATCH_ITEM, &item));
    uint32_t op = 0;
    CHECK(ttlv_find_enum(&item, TAG_OPERATION, &op) && op == KMIP_OP_ENCRYPT);
    CHECK(ttlv_find(&item, TAG_REQUEST_PAYLOAD, &payload));
    const uint8_t *uid;
    size_t uid_len;
    CHECK(ttlv_find_bytes(&payload, TAG_UNIQUE_IDENTIFIER, &uid, &uid_len) && uid_len == 2 &&
          !memcmp(uid, "k1", 2));
    int random_iv = 0;
    int32_t tag_len = 0;
    CHECK(ttlv_find(&payload, TAG_CRYPTO_PARAMETERS, &params));
    CHECK(ttlv_find_bool(&params, TAG_RANDOM_IV, &random_iv) && random_iv == 1);
    CHECK(ttlv_find_int(&params, TAG_TAG_LENGTH, &tag_len) && tag_len == 16);
    CHECK(!ttlv_find(&payload, TAG_IV, &item));
    /* The wrong type is refused by the typed readers. */
    CHECK(!ttlv_find_int(&params, TAG_BLOCK_CIPHER_MODE, &tag_len));
}

TEST(reader_rejects_truncated_padded_and_oversized_items)
{
    uint8_t msg[256];
    size_t n = unhex(PYKMIP_ENCRYPT, msg, sizeof(msg));
    ttlv_item root;
    CHECK(!ttlv_validate(msg, n - 8, &root));
    CHECK(!ttlv_validate(msg, n + 8, &root)); /* trailing bytes after the message */
    uint8_t copy[256];
    memcpy(copy, msg, n);
    copy[n - 1] = 0; /* still valid: the last byte belongs to the data */
    CHECK(ttlv_validate(copy, n, &root));
    memcpy(copy, msg, n);
    copy[92] = 1; /* Operation's padding (after its 4-byte value) must be zero */
    CHECK(!ttlv_validate(copy, n, &root));
    memcpy(copy, msg, n);
    copy[4] = 0xFF; /* the outer length claims more than there is */
    CHECK(!ttlv_validate(copy, n, &root));
    memcpy(copy, msg, n);
    copy[0x2F] = 8; /* an Integer of length 8 */
    CHECK(!ttlv_validate(copy, n, &root));
    memcpy(copy, msg, n);
    copy[3] = 0x0C; /* an unknown item type */
    CHECK(!ttlv_validate(copy, n, &root));
    CHECK(!ttlv_validate(NULL, 0, &root));
}

TEST(reader_rejects_nesting_deeper_than_the_limit)
{
    uint8_t buf[8 * (TTLV_MAX_DEPTH + 2)];
    size_t depth = TTLV_MAX_DEPTH + 2;
    for (size_t i = 0; i < depth; i++) {
        uint8_t *p = buf + 8 * i;
        uint32_t len = (uint32_t)(8 * (depth - i - 1));
        p[0] = 0x42, p[1] = 0x00, p[2] = 0x01, p[3] = TTLV_STRUCTURE;
        p[4] = (uint8_t)(len >> 24), p[5] = (uint8_t)(len >> 16), p[6] = (uint8_t)(len >> 8);
        p[7] = (uint8_t)len;
    }
    ttlv_item root;
    CHECK(!ttlv_validate(buf, sizeof(buf), &root));
    /* The same shape within the limit is fine. */
    CHECK(ttlv_validate(buf + 16, sizeof(buf) - 16, &root));
}

TEST(writer_pads_strings_and_fails_sticky_on_misuse)
{
    ttlv_writer w;
    ttlv_writer_init(&w);
    ttlv_put_text(&w, TAG_NAME_VALUE, "12345678", 8);
    CHECK(ttlv_writer_ok(&w) && w.len == 16);
    ttlv_put_text(&w, TAG_NAME_VALUE, "123456789", 9);
    CHECK(w.len == 16 + 8 + 16);
    ttlv_end(&w); /* nothing open */
    CHECK(!ttlv_writer_ok(&w));
    size_t len = w.len;
    ttlv_put_int(&w, TAG_BATCH_COUNT, 1);
    CHECK(w.len == len);
    ttlv_writer_free(&w);

    ttlv_writer_init(&w);
    ttlv_begin(&w, TAG_REQUEST_MESSAGE);
    CHECK(!ttlv_writer_ok(&w)); /* unbalanced */
    uint8_t *big = calloc(1, TTLV_MAX_MESSAGE);
    ttlv_put_bytes(&w, TAG_DATA, big, TTLV_MAX_MESSAGE);
    ttlv_end(&w);
    CHECK(!ttlv_writer_ok(&w));
    free(big);
    ttlv_writer_free(&w);
}

TEST(frame_size_accepts_only_bounded_structures)
{
    uint8_t h[8] = {0x42, 0x00, 0x7B, 0x01, 0x00, 0x00, 0x00, 0x10};
    CHECK(ttlv_frame_size(h) == 24);
    h[7] = 0x11;
    CHECK(ttlv_frame_size(h) == 0);
    h[7] = 0x10;
    h[3] = 0x02;
    CHECK(ttlv_frame_size(h) == 0);
    uint8_t huge[8] = {0x42, 0x00, 0x7B, 0x01, 0x7F, 0xFF, 0xFF, 0xF8};
    CHECK(ttlv_frame_size(huge) == 0);
}

TEST(long_values_round_trip_unsigned_enums)
{
    ttlv_writer w;
    ttlv_writer_init(&w);
    ttlv_begin(&w, TAG_ATTRIBUTES);
    ttlv_put_enum(&w, TAG_ATTESTATION_TYPE, 0x80000001u);
    ttlv_put_long(&w, TAG_DATA_LENGTH, -2);
    ttlv_put_datetime(&w, TAG_STATE, 1700000000);
    ttlv_end(&w);
    CHECK(ttlv_writer_ok(&w));
    ttlv_item root, it;
    CHECK(ttlv_validate(w.buf, w.len, &root));
    uint32_t e = 0;
    int64_t l = 0;
    CHECK(ttlv_find_enum(&root, TAG_ATTESTATION_TYPE, &e) && e == 0x80000001u);
    CHECK(ttlv_find(&root, TAG_DATA_LENGTH, &it) && ttlv_long(&it, &l) && l == -2);
    CHECK(ttlv_find(&root, TAG_STATE, &it) && ttlv_long(&it, &l) && l == 1700000000);
    ttlv_writer_free(&w);
}
