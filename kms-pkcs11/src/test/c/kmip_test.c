#include "canned.h"
#include "test.h"
#include "tresor.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(request_header_carries_the_attestation_credential)
{
    uint8_t measurement[3] = {7, 8, 9};
    struct attestation_credential cred = {(const uint8_t *)"id", 2, (const uint8_t *)"value", 5,
                                          0x80000001u, measurement, 3};
    ttlv_writer w;
    ttlv_writer_init(&w);
    kmip_header(&w, 2, &cred);
    CHECK(ttlv_writer_ok(&w));
    ttlv_item header, auth, credential, value, nonce, version;
    CHECK(ttlv_validate(w.buf, w.len, &header));
    int32_t major = 0, minor = 0, count = 0;
    int capable = 0;
    CHECK(ttlv_find(&header, TAG_PROTOCOL_VERSION, &version) &&
          ttlv_find_int(&version, TAG_PROTOCOL_MAJOR, &major) &&
          ttlv_find_int(&version, TAG_PROTOCOL_MINOR, &minor) && major == 2 && minor == 1);
    CHECK(ttlv_find_bool(&header, TAG_ATTESTATION_CAPABLE, &capable) && capable);
    CHECK(ttlv_find_int(&header, TAG_BATCH_COUNT, &count) && count == 2);
    uint32_t type = 0, att = 0;
    const uint8_t *p;
    size_t n;
    CHECK(ttlv_find(&header, TAG_AUTHENTICATION, &auth) &&
          ttlv_find(&auth, TAG_CREDENTIAL, &credential) &&
          ttlv_find_enum(&credential, TAG_CREDENTIAL_TYPE, &type) && type == 3 &&
          ttlv_find(&credential, TAG_CREDENTIAL_VALUE, &value));
    CHECK(ttlv_find(&value, TAG_NONCE, &nonce) &&
          ttlv_find_bytes(&nonce, TAG_NONCE_ID, &p, &n) && n == 2 && !memcmp(p, "id", 2));
    CHECK(ttlv_find_enum(&value, TAG_ATTESTATION_TYPE, &att) && att == 0x80000001u);
    CHECK(ttlv_find_bytes(&value, TAG_ATTESTATION_MEASUREMENT, &p, &n) && n == 3 && p[2] == 9);
    ttlv_writer_free(&w);
}

static void response(ttlv_writer *w)
{
    canned_response_start(w, 2, 1, 2);
    ttlv_begin(w, TAG_BATCH_ITEM);
    ttlv_put_enum(w, TAG_OPERATION, KMIP_OP_REVOKE);
    ttlv_put_enum(w, TAG_RESULT_STATUS, 0);
    ttlv_begin(w, TAG_RESPONSE_PAYLOAD);
    kmip_put_uid(w, "u1");
    ttlv_end(w);
    ttlv_end(w);
    ttlv_begin(w, TAG_BATCH_ITEM);
    ttlv_put_enum(w, TAG_OPERATION, KMIP_OP_DESTROY);
    ttlv_put_enum(w, TAG_RESULT_STATUS, 1);
    ttlv_put_enum(w, TAG_RESULT_REASON, 0x3A);
    ttlv_put_text(w, TAG_RESULT_MESSAGE, "retry after 12 s", 16);
    ttlv_end(w);
    ttlv_end(w);
}

TEST(batch_results_are_read_by_index)
{
    ttlv_writer w;
    ttlv_writer_init(&w);
    response(&w);
    CHECK(ttlv_writer_ok(&w));
    struct kmip_response r = {0};
    CHECK(ttlv_validate(w.buf, w.len, &r.root));
    struct kmip_result first, second, third;
    CHECK(kmip_result_at(&r, 0, &first) && first.status == 0 && first.has_payload);
    CHECK(kmip_result_at(&r, 1, &second) && second.status == 1 && second.reason == 0x3A &&
          !second.has_payload && second.message_len == 16);
    CHECK(!kmip_result_at(&r, 2, &third));
    ttlv_writer_free(&w);
}

TEST(report_data_binds_nonce_and_client_key)
{
    static const char *expected =
        "d2db4207fe927db0fe1b4dec6135b42201615ca5cbce1b19816d5ab3cfe4f30a"
        "de3b56973db36ea3f213e4a5a080dfa599d45e8c660dc5cdb4f5fb044a0e8f2f";
    uint8_t value[32], spki_hash[32], out[64];
    for (int i = 0; i < 32; i++)
        value[i] = (uint8_t)i;
    unsigned int n = 0;
    EVP_Digest("spki", 4, spki_hash, &n, EVP_sha256(), NULL);
    attest_report_data((const uint8_t *)"nonce-id", 8, value, 32, spki_hash, out);
    char hex[129];
    for (int i = 0; i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", out[i]);
    CHECK(!strcmp(hex, expected));
}

TEST(command_evidence_is_the_commands_output)
{
    char dir[] = "/tmp/tresor-attest-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char script[64];
    snprintf(script, sizeof(script), "%s/evidence", dir);
    FILE *f = fopen(script, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("#!/bin/sh\nprintf 'E:%s' \"$1\"\n", f);
    fclose(f);
    chmod(script, 0700);
    struct tresor_conf c = {.attestation = ATTEST_COMMAND, .attestation_command = script,
                            .attestation_type = 0x80000004u};
    uint8_t rd[64];
    memset(rd, 0xAB, sizeof(rd));
    struct attestation_credential cred = {0};
    CHECK(attest_enabled(&c));
    CHECK(attest_collect(&c, rd, &cred));
    CHECK(cred.type == 0x80000004u && cred.measurement_len == 2 + 128);
    CHECK(cred.measurement && !memcmp(cred.measurement, "E:abab", 6));
    free(cred.measurement);
    unlink(script);
    rmdir(dir);
}

TEST(automatic_attestation_follows_the_presence_of_configfs_tsm)
{
    struct tresor_conf c = {.attestation = ATTEST_OFF};
    CHECK(!attest_enabled(&c));
    c.attestation = ATTEST_AUTO;
    c.tsm_root = "/nonexistent/tsm";
    attest_resolve(&c);
    CHECK(c.attestation == ATTEST_OFF && !attest_enabled(&c));
    char dir[] = "/tmp/tresor-tsm-XXXXXX", report[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(report, sizeof(report), "%s/report", dir);
    CHECK(mkdir(report, 0700) == 0);
    c.attestation = ATTEST_AUTO;
    c.tsm_root = dir;
    attest_resolve(&c);
    CHECK(c.attestation == ATTEST_TSM && attest_enabled(&c));
    rmdir(report);
    rmdir(dir);
}

TEST(discover_versions_offers_2_1_then_1_4_under_a_1_4_header)
{
    ttlv_writer w;
    ttlv_writer_init(&w);
    kmip_discover_request(&w);
    CHECK(ttlv_writer_ok(&w));
    ttlv_item root, header, version, item, payload;
    int32_t major = 0, minor = 0;
    uint32_t op = 0;
    CHECK(ttlv_validate(w.buf, w.len, &root) && root.tag == TAG_REQUEST_MESSAGE);
    CHECK(ttlv_find(&root, TAG_REQUEST_HEADER, &header) &&
          ttlv_find(&header, TAG_PROTOCOL_VERSION, &version) &&
          ttlv_find_int(&version, TAG_PROTOCOL_MAJOR, &major) &&
          ttlv_find_int(&version, TAG_PROTOCOL_MINOR, &minor) && major == 1 && minor == 4);
    CHECK(ttlv_find(&root, TAG_BATCH_ITEM, &item) && ttlv_find_enum(&item, TAG_OPERATION, &op) &&
          op == KMIP_OP_DISCOVER_VERSIONS && ttlv_find(&item, TAG_REQUEST_PAYLOAD, &payload));
    int offered[2][2], n = 0;
    size_t pos = 0;
    while (n < 3 && ttlv_next(&payload, &pos, &version)) {
        CHECK(n < 2 && version.tag == TAG_PROTOCOL_VERSION &&
              ttlv_find_int(&version, TAG_PROTOCOL_MAJOR, &major) &&
              ttlv_find_int(&version, TAG_PROTOCOL_MINOR, &minor));
        if (n < 2)
            offered[n][0] = major, offered[n][1] = minor;
        n++;
    }
    CHECK(n == 2 && offered[0][0] == 2 && offered[0][1] == 1 && offered[1][0] == 1 &&
          offered[1][1] == 4);
    ttlv_writer_free(&w);
}

/* A Discover Versions response listing the given versions (or failing with status 1). */
static void discover_answer(ttlv_writer *w, int status, const int (*versions)[2], int n)
{
    ttlv_writer_init(w);
    canned_response_start(w, 1, 4, 1);
    ttlv_begin(w, TAG_BATCH_ITEM);
    ttlv_put_enum(w, TAG_OPERATION, KMIP_OP_DISCOVER_VERSIONS);
    ttlv_put_enum(w, TAG_RESULT_STATUS, (uint32_t)status);
    if (status == 0) {
        ttlv_begin(w, TAG_RESPONSE_PAYLOAD);
        for (int i = 0; i < n; i++) {
            ttlv_begin(w, TAG_PROTOCOL_VERSION);
            ttlv_put_int(w, TAG_PROTOCOL_MAJOR, versions[i][0]);
            ttlv_put_int(w, TAG_PROTOCOL_MINOR, versions[i][1]);
            ttlv_end(w);
        }
        ttlv_end(w);
    } else {
        ttlv_put_enum(w, TAG_RESULT_REASON, 0x05);
    }
    ttlv_end(w);
    ttlv_end(w);
}

TEST(discover_versions_answer_decides_whether_the_server_speaks_2_1)
{
    static const int both[2][2] = {{2, 1}, {1, 4}}, old[1][2] = {{1, 4}};
    ttlv_writer w;
    int major, minor;
    discover_answer(&w, 0, both, 2);
    CHECK(kmip_discover_answer(w.buf, w.len, &major, &minor) == KMIP_SPEAKS_21);
    CHECK(major == 2 && minor == 1);
    ttlv_writer_free(&w);
    discover_answer(&w, 0, old, 1);
    CHECK(kmip_discover_answer(w.buf, w.len, &major, &minor) == KMIP_LACKS_21);
    CHECK(major == 1 && minor == 4);
    ttlv_writer_free(&w);
    discover_answer(&w, 0, NULL, 0);
    CHECK(kmip_discover_answer(w.buf, w.len, &major, &minor) == KMIP_LACKS_21 && major == 0);
    ttlv_writer_free(&w);
    discover_answer(&w, 1, NULL, 0);
    CHECK(kmip_discover_answer(w.buf, w.len, &major, &minor) == KMIP_SPEAKS_21);
    ttlv_writer_free(&w);
    static const uint8_t garbage[8] = {0x42, 0x00, 0x7B, 0x01, 0, 0, 0, 9};
    CHECK(kmip_discover_answer(garbage, sizeof(garbage), &major, &minor) == KMIP_UNDECODABLE);
}

TEST(object_load_names_every_attribute_it_reads_in_one_get_attributes)
{
    static const uint32_t standard[] = {TAG_OBJECT_TYPE, TAG_CRYPTO_ALGORITHM, TAG_CRYPTO_LENGTH,
                                        TAG_USAGE_MASK, TAG_STATE, TAG_NAME, TAG_LINK,
                                        TAG_EXTRACTABLE};
    static const char *const custom[][2] = {{"x", ATTR_PKCS11_ID}, {"y", ATTR_VERSION},
                                            {"y", ATTR_PRIMARY}, {"y", ATTR_ATTESTED},
                                            {"y", ATTR_GENERATED}};
    ttlv_writer w;
    ttlv_writer_init(&w);
    ttlv_begin(&w, TAG_REQUEST_MESSAGE);
    kmip_put_object_attributes(&w, "u1");
    ttlv_end(&w);
    CHECK(ttlv_writer_ok(&w));
    ttlv_item root, item, payload, it;
    uint32_t op = 0;
    const uint8_t *p;
    size_t n;
    CHECK(ttlv_validate(w.buf, w.len, &root) && ttlv_find(&root, TAG_BATCH_ITEM, &item) &&
          ttlv_find_enum(&item, TAG_OPERATION, &op) && op == KMIP_OP_GET_ATTRIBUTES &&
          ttlv_find(&item, TAG_REQUEST_PAYLOAD, &payload));
    CHECK(ttlv_find_bytes(&payload, TAG_UNIQUE_IDENTIFIER, &p, &n) && n == 2 &&
          !memcmp(p, "u1", 2));
    int seen_standard[8] = {0}, seen_custom[5] = {0}, references = 0;
    size_t pos = 0;
    while (ttlv_next(&payload, &pos, &it)) {
        if (it.tag != TAG_ATTRIBUTE_REFERENCE)
            continue;
        references++;
        uint32_t tag = 0;
        const uint8_t *vendor, *name;
        size_t vendor_len, name_len;
        if (ttlv_enum(&it, &tag)) {
            for (int i = 0; i < 8; i++)
                seen_standard[i] += standard[i] == tag;
        } else if (ttlv_find_bytes(&it, TAG_VENDOR_IDENTIFICATION, &vendor, &vendor_len) &&
                   ttlv_find_bytes(&it, TAG_ATTRIBUTE_NAME, &name, &name_len)) {
            for (int i = 0; i < 5; i++)
                seen_custom[i] += vendor_len == 1 && vendor[0] == custom[i][0][0] &&
                                  name_len == strlen(custom[i][1]) &&
                                  !memcmp(name, custom[i][1], name_len);
        }
    }
    CHECK(references == 13);
    for (int i = 0; i < 8; i++)
        CHECK(seen_standard[i] == 1);
    for (int i = 0; i < 5; i++)
        CHECK(seen_custom[i] == 1);
    ttlv_writer_free(&w);
}

static void custom_attribute(ttlv_writer *w, const char *vendor, const char *name)
{
    ttlv_begin(w, TAG_ATTRIBUTE);
    ttlv_put_text(w, TAG_VENDOR_IDENTIFICATION, vendor, strlen(vendor));
    ttlv_put_text(w, TAG_ATTRIBUTE_NAME, name, strlen(name));
}

/* Opens a successful Get Attributes answer for uid with its Object Type, Cryptographic Algorithm
 * and State; the caller adds the rest of its attributes and closes it with answer_end. */
static void answer_begin(ttlv_writer *w, const char *uid, uint32_t type, uint32_t alg,
                         uint32_t state)
{
    ttlv_begin(w, TAG_BATCH_ITEM);
    ttlv_put_enum(w, TAG_OPERATION, KMIP_OP_GET_ATTRIBUTES);
    ttlv_put_enum(w, TAG_RESULT_STATUS, 0);
    ttlv_begin(w, TAG_RESPONSE_PAYLOAD);
    kmip_put_uid(w, uid);
    ttlv_begin(w, TAG_ATTRIBUTES);
    ttlv_put_enum(w, TAG_OBJECT_TYPE, type);
    ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, alg);
    ttlv_put_enum(w, TAG_STATE, state);
}

static void answer_end(ttlv_writer *w)
{
    ttlv_end(w);
    ttlv_end(w);
    ttlv_end(w);
}

/* A 2.1 Get Attributes answer for an Active AES-256 key (encrypt and decrypt); version > 0 adds
 * x-pkcs11-id and Tresor's own attributes, as a server answers when they are named. */
static void attributes_answer(ttlv_writer *w, const char *uid, int version, int primary)
{
    answer_begin(w, uid, KMIP_OBJ_SYMMETRIC, KMIP_ALG_AES, KMIP_STATE_ACTIVE);
    ttlv_put_int(w, TAG_CRYPTO_LENGTH, 256);
    ttlv_put_int(w, TAG_USAGE_MASK, KMIP_USAGE_ENCRYPT | KMIP_USAGE_DECRYPT);
    kmip_put_name(w, "label", 5);
    if (version > 0) {
        custom_attribute(w, "x", ATTR_PKCS11_ID);
        ttlv_put_bytes(w, TAG_ATTRIBUTE_VALUE, (const uint8_t *)"id-1", 4);
        ttlv_end(w);
        custom_attribute(w, "y", ATTR_VERSION);
        ttlv_put_int(w, TAG_ATTRIBUTE_VALUE, version);
        ttlv_end(w);
        custom_attribute(w, "y", ATTR_PRIMARY);
        ttlv_put_bool(w, TAG_ATTRIBUTE_VALUE, primary);
        ttlv_end(w);
        custom_attribute(w, "y", ATTR_ATTESTED);
        ttlv_put_bool(w, TAG_ATTRIBUTE_VALUE, 1);
        ttlv_end(w);
    }
    answer_end(w);
}

static void public_key_link(ttlv_writer *w, const char *uid)
{
    ttlv_begin(w, TAG_LINK);
    ttlv_put_enum(w, TAG_LINK_TYPE, KMIP_LINK_PUBLIC_KEY);
    ttlv_put_text(w, TAG_LINKED_OBJECT_ID, uid, strlen(uid));
    ttlv_end(w);
}

/* Ends the response in w and publishes its objects as objects_load would; *answered (if set)
 * counts the items answered. */
static CK_RV load_answer(ttlv_writer *w, const char *const *uids, size_t n, CK_ULONG *device_error,
                         CK_OBJECT_HANDLE *handles, size_t *answered)
{
    ttlv_end(w);
    struct kmip_response r = {0};
    size_t count = 0;
    CHECK(ttlv_writer_ok(w) && ttlv_validate(w->buf, w->len, &r.root));
    CK_RV rv = objects_from_response(0, uids, n, n == 1, &r, device_error, handles, &count);
    if (answered)
        *answered = count;
    ttlv_writer_free(w);
    return rv;
}

TEST(each_object_is_built_from_its_own_answer_and_defaults_only_without_tresors_attributes)
{
    objects_init();
    static const char *const uids[] = {"u-named", "u-plain"};
    ttlv_writer w;
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 2);
    attributes_answer(&w, "u-named", 3, 0);
    attributes_answer(&w, "u-plain", 0, 0);
    CK_OBJECT_HANDLE handles[2];
    CK_ULONG device_error = 0;
    size_t answered = 0;
    CHECK_RV(load_answer(&w, uids, 2, &device_error, handles, &answered), CKR_OK);
    CHECK(answered == 2);
    struct object *named = object_get(handles[0]), *plain = object_get(handles[1]);
    CHECK(named && plain);
    if (named && plain) {
        CHECK(!strcmp(named->uid, "u-named") && named->version == 3 && !named->primary &&
              named->attested && named->id_len == 4 && !memcmp(named->id, "id-1", 4));
        CHECK(!named->can_encrypt && named->can_decrypt && named->bits == 256);
        /* A server without y-tresor-*: version 0 and the standard view of primary. */
        CHECK(!strcmp(plain->uid, "u-plain") && plain->version == 0 && plain->primary &&
              !plain->attested && plain->can_encrypt && !strcmp(plain->label, "label"));
        /* Nor is a key said to be generated in Tresor unless the server says so. */
        CHECK(!plain->local);
    }
    object_put(named);
    object_put(plain);
    objects_clear(0);
}

/* Whether handle h still names a cached object. */
static int still_cached(CK_OBJECT_HANDLE h)
{
    struct object *o = object_get(h);
    object_put(o);
    return o != NULL;
}

TEST(a_refused_item_is_that_objects_error_and_only_an_object_gone_leaves_the_cache)
{
    objects_init();
    static const char *const one[] = {"u-1"}, *const two[] = {"u-1", "u-2"};
    ttlv_writer w;
    CK_OBJECT_HANDLE handles[2], cached;
    CK_ULONG device_error = 0;
    size_t answered = 0;
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    attributes_answer(&w, "u-1", 2, 1);
    CHECK_RV(load_answer(&w, one, 1, &device_error, &cached, NULL), CKR_OK);

    /* The refresh of one object over the project's budget: the budget error, and the handle the
     * application holds keeps its cached object (never one rebuilt from defaults). */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x3A);
    CHECK_RV(load_answer(&w, one, 1, &device_error, handles, NULL), CKR_FUNCTION_FAILED);
    CHECK(device_error == 0x3A && handles[0] == CK_INVALID_HANDLE && still_cached(cached));

    /* A sealed server: the same. */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x44);
    CHECK_RV(load_answer(&w, one, 1, &device_error, handles, NULL), CKR_DEVICE_ERROR);
    CHECK(device_error == 0x44 && still_cached(cached));

    /* The first of two refused (Batch Error Continuation Stop leaves the second unanswered):
     * a code C_FindObjectsInit may return, and the cached object stays. */
    device_error = 0;
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x43);
    CHECK_RV(load_answer(&w, two, 2, &device_error, handles, NULL), CKR_FUNCTION_FAILED);
    CHECK(device_error == 0x43 && handles[0] == CK_INVALID_HANDLE &&
          handles[1] == CK_INVALID_HANDLE && still_cached(cached));

    /* One the caller may not view (Permission Denied) is, for PKCS#11, gone: it leaves the cache
     * and a larger load, and the rest are asked again. */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x0C);
    CHECK_RV(load_answer(&w, two, 2, &device_error, handles, &answered), CKR_OK);
    CHECK(answered == 1 && handles[0] == CK_INVALID_HANDLE && !still_cached(cached));
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    attributes_answer(&w, "u-1", 2, 1);
    CHECK_RV(load_answer(&w, one, 1, &device_error, &cached, NULL), CKR_OK);

    /* One object asked for alone and gone: its error, and it leaves the cache. */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x01);
    CHECK_RV(load_answer(&w, one, 1, &device_error, handles, NULL), CKR_OBJECT_HANDLE_INVALID);
    CHECK(device_error == 0x01 && !still_cached(cached));

    /* The second of two gone since Locate: left out, the first is loaded. */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 2);
    attributes_answer(&w, "u-1", 2, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x01);
    CHECK_RV(load_answer(&w, two, 2, &device_error, handles, &answered), CKR_OK);
    CHECK(answered == 2 && handles[0] != CK_INVALID_HANDLE && handles[1] == CK_INVALID_HANDLE);

    /* Soft-deleted since: the answer succeeds with State Destroyed, and the object leaves the
     * cache rather than staying under its handle. */
    cached = handles[0];
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    answer_begin(&w, "u-1", KMIP_OBJ_SYMMETRIC, KMIP_ALG_AES, KMIP_STATE_DESTROYED);
    answer_end(&w);
    CHECK_RV(load_answer(&w, one, 1, &device_error, handles, NULL), CKR_OK);
    CHECK(handles[0] == CK_INVALID_HANDLE && !still_cached(cached));

    /* The first of two gone and the batch stopped there: one answered, the second to ask again. */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, 0x01);
    CHECK_RV(load_answer(&w, two, 2, &device_error, handles, &answered), CKR_OK);
    CHECK(answered == 1 && handles[0] == CK_INVALID_HANDLE);

    /* A batch cut short without a refusal is no answer at all. */
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    attributes_answer(&w, "u-1", 2, 1);
    CHECK_RV(load_answer(&w, two, 2, &device_error, handles, NULL), CKR_GENERAL_ERROR);
    objects_clear(0);
}

TEST(a_private_key_names_its_first_public_key_link_whole)
{
    objects_init();
    static const char *const one[] = {"u-priv"};
    ttlv_writer w;
    CK_OBJECT_HANDLE h;
    CK_ULONG device_error = 0;
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    answer_begin(&w, "u-priv", KMIP_OBJ_PRIVATE, KMIP_ALG_RSA, KMIP_STATE_ACTIVE);
    /* A second, shorter link added by an attribute edit must neither win nor mix into the first. */
    public_key_link(&w, "u-pub-of-the-pair");
    public_key_link(&w, "u-other");
    answer_end(&w);
    CHECK_RV(load_answer(&w, one, 1, &device_error, &h, NULL), CKR_OK);
    struct object *o = object_get(h);
    CHECK(o && !strcmp(o->pub_uid, "u-pub-of-the-pair"));
    object_put(o);
    objects_clear(0);
}

/* ---- objects_load against a canned server ---- */


/* Writes an item read from a TTLV buffer into w again. */
static void copy_item(ttlv_writer *w, const ttlv_item *it)
{
    int32_t i;
    uint32_t e;
    int b;
    int64_t l;
    const uint8_t *p;
    size_t n, pos = 0;
    ttlv_item child;
    switch (it->type) {
    case TTLV_STRUCTURE:
        ttlv_begin(w, it->tag);
        while (ttlv_next(it, &pos, &child))
            copy_item(w, &child);
        ttlv_end(w);
        break;
    case TTLV_INTEGER: CHECK(ttlv_int(it, &i)); ttlv_put_int(w, it->tag, i); break;
    case TTLV_ENUM: CHECK(ttlv_enum(it, &e)); ttlv_put_enum(w, it->tag, e); break;
    case TTLV_BOOL: CHECK(ttlv_bool(it, &b)); ttlv_put_bool(w, it->tag, b); break;
    case TTLV_LONG: CHECK(ttlv_long(it, &l)); ttlv_put_long(w, it->tag, l); break;
    case TTLV_DATETIME: CHECK(ttlv_long(it, &l)); ttlv_put_datetime(w, it->tag, l); break;
    case TTLV_TEXT: CHECK(ttlv_bytes(it, &p, &n)); ttlv_put_text(w, it->tag, (const char *)p, n); break;
    case TTLV_BYTES: CHECK(ttlv_bytes(it, &p, &n)); ttlv_put_bytes(w, it->tag, p, n); break;
    default: CHECK(!"an item type the canned server does not copy");
    }
}

static void bool_attribute(ttlv_writer *w, const char *vendor, const char *name, int value)
{
    custom_attribute(w, vendor, name);
    ttlv_put_bool(w, TAG_ATTRIBUTE_VALUE, value);
    ttlv_end(w);
}

/* Every attribute a Tresor server keeps for a key, whether the library reads it or not: the
 * halves of an RSA key pair for UIDs starting "u-priv" and "u-pub", else an AES key. Sensitive,
 * Always Sensitive and Never Extractable differ from what the library derives without them, so
 * that reading one unnamed shows. */
static void full_attributes(ttlv_writer *w, const char *uid)
{
    int priv = !strncmp(uid, "u-priv", 6), pub = !strncmp(uid, "u-pub", 5);
    ttlv_begin(w, TAG_ATTRIBUTES);
    ttlv_put_enum(w, TAG_OBJECT_TYPE, priv ? KMIP_OBJ_PRIVATE : pub ? KMIP_OBJ_PUBLIC : KMIP_OBJ_SYMMETRIC);
    ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, priv || pub ? KMIP_ALG_RSA : KMIP_ALG_AES);
    ttlv_put_int(w, TAG_CRYPTO_LENGTH, priv || pub ? 3072 : 192);
    ttlv_put_int(w, TAG_USAGE_MASK, priv ? KMIP_USAGE_SIGN : pub ? KMIP_USAGE_VERIFY
                                         : KMIP_USAGE_ENCRYPT | KMIP_USAGE_DECRYPT | KMIP_USAGE_UNWRAP);
    ttlv_put_enum(w, TAG_KEY_FORMAT_TYPE, priv ? 0x06 : pub ? KMIP_FORMAT_X509 : 0x01);
    ttlv_put_datetime(w, 0x420039 /* Initial Date */, 1790000000);
    ttlv_put_datetime(w, TAG_ACTIVATION_DATE, 1790000000);
    ttlv_put_enum(w, TAG_STATE, KMIP_STATE_ACTIVE);
    kmip_put_name(w, "canned-key", 10);
    kmip_put_name(w, "second-name", 11);
    if (priv)
        public_key_link(w, "u-pub-linked");
    ttlv_put_bool(w, TAG_SENSITIVE, !!pub);
    ttlv_put_bool(w, 0x420121 /* Always Sensitive */, 0);
    ttlv_put_bool(w, TAG_EXTRACTABLE, !priv);
    ttlv_put_bool(w, 0x420123 /* Never Extractable */, !priv);
    ttlv_put_int(w, 0x42015E /* Protection Storage Mask */, 1);
    custom_attribute(w, "x", ATTR_PKCS11_ID);
    ttlv_put_bytes(w, TAG_ATTRIBUTE_VALUE, (const uint8_t *)"canned-id", 9);
    ttlv_end(w);
    custom_attribute(w, "x", "x-barcode");
    ttlv_put_text(w, TAG_ATTRIBUTE_VALUE, "XXA012A1", 8);
    ttlv_end(w);
    custom_attribute(w, "y", ATTR_VERSION);
    ttlv_put_int(w, TAG_ATTRIBUTE_VALUE, 4);
    ttlv_end(w);
    bool_attribute(w, "y", ATTR_PRIMARY, 1);
    bool_attribute(w, "y", ATTR_ATTESTED, 1);
    bool_attribute(w, "y", ATTR_GENERATED, !strstr(uid, "registered"));
    ttlv_end(w);
}

/* Whether the Get Attributes payload names the attribute it. */
static int names(const ttlv_item *request, const ttlv_item *it)
{
    const uint8_t *want, *vendor, *name, *got;
    size_t want_len = 0, vendor_len, name_len, got_len;
    if (it->tag == TAG_ATTRIBUTE)
        CHECK(ttlv_find_bytes(it, TAG_ATTRIBUTE_NAME, &want, &want_len));
    size_t pos = 0;
    ttlv_item ref;
    while (ttlv_next(request, &pos, &ref)) {
        uint32_t tag;
        if (ref.tag != TAG_ATTRIBUTE_REFERENCE)
            continue;
        if (ttlv_enum(&ref, &tag) && tag == it->tag && it->tag != TAG_ATTRIBUTE)
            return 1;
        if (it->tag == TAG_ATTRIBUTE && ttlv_find_bytes(&ref, TAG_VENDOR_IDENTIFICATION, &vendor, &vendor_len) &&
            ttlv_find_bytes(&ref, TAG_ATTRIBUTE_NAME, &name, &name_len) && vendor_len == 1 &&
            name_len == want_len && !memcmp(name, want, name_len) &&
            ttlv_find_bytes(it, TAG_VENDOR_IDENTIFICATION, &got, &got_len) && got_len == 1 &&
            got[0] == vendor[0])
            return 1;
    }
    return 0;
}

/* The canned server's state: the UIDs it holds (others get `refusal`), whether it answers only
 * what is named (as Tresor does) or everything, and what each message it received named. */
static struct {
    const char *held[4];
    uint32_t refusal;
    int only_named;
    int messages;
    int named[4];
    char first[4][16];
} canned;

static int canned_holds(const uint8_t *uid, size_t n)
{
    for (int i = 0; i < 4 && canned.held[i]; i++)
        if (strlen(canned.held[i]) == n && !memcmp(canned.held[i], uid, n))
            return 1;
    return 0;
}

/* kmip_exchange's stand-in: answers each Get Attributes in order and, like Tresor under Batch
 * Error Continuation Stop, nothing after a refused item. */
static CK_RV canned_exchange(struct slot *s, int n, kmip_build_fn build, void *arg, int idempotent,
                             struct kmip_response *resp)
{
    (void)s;
    (void)idempotent;
    ttlv_writer req, w;
    ttlv_writer_init(&req);
    ttlv_begin(&req, TAG_REQUEST_MESSAGE);
    build(&req, arg);
    ttlv_end(&req);
    ttlv_item root, item, payload, it;
    CHECK(ttlv_writer_ok(&req) && ttlv_validate(req.buf, req.len, &root));
    int m = canned.messages++;
    ttlv_item items[16];
    int count = 0, answered = 0;
    size_t pos = 0;
    while (count < 16 && ttlv_next(&root, &pos, &item))
        if (item.tag == TAG_BATCH_ITEM)
            items[count++] = item;
    CHECK(count == n);
    if (m < 4)
        canned.named[m] = count;
    const uint8_t *uid;
    size_t uid_len;
    for (; answered < count; answered++) {
        CHECK(ttlv_find(&items[answered], TAG_REQUEST_PAYLOAD, &payload) &&
              ttlv_find_bytes(&payload, TAG_UNIQUE_IDENTIFIER, &uid, &uid_len) && uid_len < 16);
        if (answered == 0 && m < 4)
            snprintf(canned.first[m], sizeof(canned.first[m]), "%.*s", (int)uid_len, uid);
        if (!canned_holds(uid, uid_len)) {
            answered++;
            break;
        }
    }
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, answered);
    for (int i = 0; i < answered; i++) {
        char name[16];
        ttlv_find(&items[i], TAG_REQUEST_PAYLOAD, &payload);
        ttlv_find_bytes(&payload, TAG_UNIQUE_IDENTIFIER, &uid, &uid_len);
        snprintf(name, sizeof(name), "%.*s", (int)uid_len, uid);
        if (!canned_holds(uid, uid_len)) {
            canned_refused(&w, KMIP_OP_GET_ATTRIBUTES, canned.refusal);
            continue;
        }
        ttlv_writer full;
        ttlv_item attrs;
        ttlv_writer_init(&full);
        full_attributes(&full, name);
        CHECK(ttlv_writer_ok(&full) && ttlv_validate(full.buf, full.len, &attrs));
        ttlv_begin(&w, TAG_BATCH_ITEM);
        ttlv_put_enum(&w, TAG_OPERATION, KMIP_OP_GET_ATTRIBUTES);
        ttlv_put_enum(&w, TAG_RESULT_STATUS, 0);
        ttlv_begin(&w, TAG_RESPONSE_PAYLOAD);
        kmip_put_uid(&w, name);
        ttlv_begin(&w, TAG_ATTRIBUTES);
        size_t apos = 0;
        while (ttlv_next(&attrs, &apos, &it))
            if (!canned.only_named || names(&payload, &it))
                copy_item(&w, &it);
        ttlv_end(&w);
        ttlv_end(&w);
        ttlv_end(&w);
        ttlv_writer_free(&full);
    }
    ttlv_writer_free(&req);
    canned_response_end(&w, resp);
    return CKR_OK;
}

static void canned_reset(uint32_t refusal, int only_named)
{
    memset(&canned, 0, sizeof(canned));
    canned.refusal = refusal;
    canned.only_named = only_named;
}

TEST(a_load_asks_again_for_the_objects_after_one_left_out)
{
    static const uint32_t left_out[] = {0x01, 0x36, 0x37, 0x0C, 0x39};
    for (size_t r = 0; r < COUNT(left_out); r++) {
        objects_init();
        canned_reset(left_out[r], 1);
        canned.held[0] = "u-1";
        canned.held[1] = "u-3";
        static const char *const uids[] = {"u-1", "u-2", "u-3"};
        struct slot sl = {.exchange = canned_exchange};
        CK_OBJECT_HANDLE handles[3] = {7, 7, 7};
        CK_ULONG device_error = 0;
        CHECK_RV(objects_load(&sl, uids, 3, &device_error, handles), CKR_OK);
        CHECK(canned.messages == 2 && canned.named[0] == 3 && !strcmp(canned.first[0], "u-1"));
        CHECK(canned.named[1] == 1 && !strcmp(canned.first[1], "u-3"));
        CHECK(handles[0] != CK_INVALID_HANDLE && handles[1] == CK_INVALID_HANDLE &&
              handles[2] != CK_INVALID_HANDLE && handles[0] != handles[2]);
        struct object *third = object_get(handles[2]);
        CHECK(third && !strcmp(third->uid, "u-3"));
        object_put(third);

        /* The same object asked for alone: the call's answer, in one message. */
        canned_reset(left_out[r], 1);
        CHECK_RV(objects_load(&sl, uids + 1, 1, &device_error, handles),
                 CKR_OBJECT_HANDLE_INVALID);
        CHECK(canned.messages == 1 && device_error == left_out[r]);
        objects_clear(0);
    }
}

TEST(a_find_over_several_keys_answers_only_codes_c_findobjectsinit_may_return)
{
    /* Codes outside §5.7.7's list for C_FindObjectsInit (e.g. KEY_FUNCTION_NOT_PERMITTED,
     * USER_NOT_LOGGED_IN, FUNCTION_REJECTED, DATA_LEN_RANGE, MECHANISM_INVALID) never come out. */
    static const uint32_t reasons[] = {0x43, 0x29, 0x1A, 0x03, 0x14, 0x15, 0x07, 0x08, 0x05,
                                       0x3A, 0x44, 0x2A, 0x100, 0x04, 0x0C, 0x01};
    for (size_t r = 0; r < COUNT(reasons); r++) {
        objects_init();
        canned_reset(reasons[r], 1);
        canned.held[0] = "u-1";
        static const char *const uids[] = {"u-2", "u-1"};
        struct slot sl = {.exchange = canned_exchange};
        CK_OBJECT_HANDLE handles[2];
        CK_ULONG device_error = 0;
        CK_RV rv = objects_load(&sl, uids, 2, &device_error, handles);
        CHECK(rv == CKR_OK || rv == CKR_DEVICE_ERROR || rv == CKR_FUNCTION_FAILED ||
              rv == CKR_GENERAL_ERROR);
        if (rv != CKR_OK)
            CHECK(device_error == reasons[r] && canned.messages == 1);
        objects_clear(0);
    }
}

/* Every field of struct object, in declaration order, with how two loads of an object must agree
 * on it. Comparing through this list, and checking below that it covers the struct, makes a field
 * added later fail the drift test until it is listed here. */
enum agreement { SAME_BYTES, SAME_TEXT, SAME_ID, SAME_SPKI, NOT_COMPARED };
static const struct field {
    const char *name;
    size_t offset, size, align;
    enum agreement agree;
} object_fields[] = {
#define FIELD(f, agree) \
    {#f, offsetof(struct object, f), sizeof(((struct object *)0)->f), __alignof__(((struct object *)0)->f), agree}
    /* The reference count, the secret of a session key and when it was fetched are no reading. */
    FIELD(refs, NOT_COMPARED),          FIELD(handle, SAME_BYTES),
    FIELD(slot, SAME_BYTES),            FIELD(owner, SAME_BYTES),
    FIELD(cls, SAME_BYTES),             FIELD(key_type, SAME_BYTES),
    FIELD(uid, SAME_TEXT),              FIELD(pub_uid, SAME_TEXT),
    FIELD(label, SAME_TEXT),            FIELD(id, SAME_ID),
    FIELD(id_len, SAME_BYTES),          FIELD(bits, SAME_BYTES),
    FIELD(usage, SAME_BYTES),           FIELD(version, SAME_BYTES),
    FIELD(primary, SAME_BYTES),         FIELD(attested, SAME_BYTES),
    FIELD(sensitive, SAME_BYTES),       FIELD(extractable, SAME_BYTES),
    FIELD(local, SAME_BYTES),           FIELD(always_sensitive, SAME_BYTES),
    FIELD(never_extractable, SAME_BYTES), FIELD(can_encrypt, SAME_BYTES),
    FIELD(can_decrypt, SAME_BYTES),     FIELD(can_wrap, SAME_BYTES),
    FIELD(can_unwrap, SAME_BYTES),      FIELD(can_sign, SAME_BYTES),
    FIELD(can_verify, SAME_BYTES),      FIELD(spki, SAME_SPKI),
    FIELD(spki_len, SAME_BYTES),        FIELD(secret, NOT_COMPARED),
    FIELD(secret_len, SAME_BYTES),      FIELD(secret_mapped, NOT_COMPARED),
    FIELD(fetched, NOT_COMPARED),
#undef FIELD
};

/* Whether two loads of an object built the same fields. */
static int same_object(const struct object *a, const struct object *b)
{
    const char *x = (const char *)a, *y = (const char *)b;
    for (size_t i = 0; i < COUNT(object_fields); i++) {
        const struct field *f = &object_fields[i];
        int same = 1;
        switch (f->agree) {
        case SAME_BYTES: same = !memcmp(x + f->offset, y + f->offset, f->size); break;
        case SAME_TEXT: same = !strcmp(x + f->offset, y + f->offset); break;
        case SAME_ID: same = a->id_len == b->id_len && !memcmp(a->id, b->id, a->id_len); break;
        case SAME_SPKI:
            same = a->spki_len == b->spki_len && (!a->spki_len || !memcmp(a->spki, b->spki, a->spki_len));
            break;
        case NOT_COMPARED: break;
        }
        if (!same) {
            fprintf(stderr, "  the two loads differ in %s\n", f->name);
            return 0;
        }
    }
    return 1;
}

/* Whether the bytes of `o` between the listed fields (padding, or a field not listed) are all
 * still zero, as object_new left them: a field the reader sets that the list lacks shows here,
 * even one that fits where padding was. */
static int only_listed_fields_set(const struct object *o)
{
    const unsigned char *bytes = (const unsigned char *)o;
    size_t at = 0;
    for (size_t i = 0; i <= COUNT(object_fields); i++) {
        size_t next = i < COUNT(object_fields) ? object_fields[i].offset : sizeof(*o);
        for (; at < next; at++)
            if (bytes[at]) {
                fprintf(stderr, "  byte %zu of the object is set outside every listed field\n", at);
                return 0;
            }
        if (i < COUNT(object_fields))
            at = object_fields[i].offset + object_fields[i].size;
    }
    return 1;
}

TEST(the_drift_comparison_lists_every_field_of_an_object)
{
    /* In order, each after the one before with no more than its alignment's padding between them,
     * and the last one ending the struct but for its tail padding: a field added anywhere else
     * makes a gap wider than padding. */
    size_t end = 0;
    for (size_t i = 0; i < COUNT(object_fields); i++) {
        const struct field *f = &object_fields[i];
        CHECK(f->offset >= end && f->offset - end < f->align);
        end = f->offset + f->size;
    }
    CHECK(sizeof(struct object) >= end && sizeof(struct object) - end < __alignof__(struct object));
}

TEST(the_request_names_everything_the_object_is_built_from)
{
    /* The reader against the request: an object built from the answer to what the library names
     * must equal the one built from every attribute the server keeps, so that a field read but not
     * named fails here. */
    static const char *const uids[] = {"u-aes", "u-priv-rsa", "u-pub-rsa"};
    for (size_t i = 0; i < COUNT(uids); i++) {
        objects_init();
        struct slot sl = {.exchange = canned_exchange};
        CK_OBJECT_HANDLE everything = 0, named = 0;
        CK_ULONG device_error = 0;
        canned_reset(0x01, 0);
        canned.held[0] = uids[i];
        CHECK_RV(objects_load(&sl, uids + i, 1, &device_error, &everything), CKR_OK);
        /* Held: the refresh below publishes a new object under the same handle. */
        struct object *full = object_get(everything);
        canned_reset(0x01, 1);
        canned.held[0] = uids[i];
        CHECK_RV(objects_load(&sl, uids + i, 1, &device_error, &named), CKR_OK);
        struct object *answered = object_get(named);
        CHECK(full && answered && full != answered && everything == named);
        if (full && answered) {
            CHECK(same_object(full, answered));
            CHECK(only_listed_fields_set(full));
            /* And the canned set is read at all: not the defaults. */
            CHECK(full->version == 4 && full->attested && full->local && full->id_len == 9 &&
                  full->bits != 0);
        }
        object_put(full);
        object_put(answered);
        objects_clear(0);
    }
}

TEST(a_new_key_pair_is_loaded_in_one_message_of_two_items)
{
    objects_init();
    static const char *const pair[] = {"u-priv-new", "u-pub-new"};
    struct slot sl = {.exchange = canned_exchange};
    CK_OBJECT_HANDLE handles[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
    CK_ULONG device_error = 0;
    canned_reset(0x01, 1);
    canned.held[0] = pair[0];
    canned.held[1] = pair[1];
    CHECK_RV(objects_load_created(&sl, pair, 2, &device_error, handles), CKR_OK);
    CHECK(canned.messages == 1 && canned.named[0] == 2 && !strcmp(canned.first[0], "u-priv-new"));
    struct object *priv = object_get(handles[0]), *pub = object_get(handles[1]);
    CHECK(priv && pub && priv->cls == CKO_PRIVATE_KEY && pub->cls == CKO_PUBLIC_KEY &&
          !strcmp(pub->uid, "u-pub-new"));
    object_put(priv);
    object_put(pub);

    /* A half the library cannot load (gone at once, or not to be viewed) fails the generation
     * with a code C_GenerateKeyPair may return, not CKR_OBJECT_HANDLE_INVALID. */
    static const uint32_t unseen[] = {0x01, 0x0C};
    for (size_t r = 0; r < COUNT(unseen); r++) {
        canned_reset(unseen[r], 1);
        canned.held[0] = pair[0];
        CHECK_RV(objects_load_created(&sl, pair, 2, &device_error, handles),
                 CKR_FUNCTION_FAILED);
        CHECK(canned.messages == 1);
        /* The private half refused: the call's answer at once, not a second message for the
         * public half alone. */
        canned_reset(unseen[r], 1);
        canned.held[0] = pair[1];
        device_error = 0;
        CHECK_RV(objects_load_created(&sl, pair, 2, &device_error, handles),
                 CKR_FUNCTION_FAILED);
        CHECK(canned.messages == 1 && device_error == unseen[r]);
        canned_reset(unseen[r], 1);
        CHECK_RV(objects_load_created(&sl, pair + 1, 1, &device_error, handles),
                 CKR_FUNCTION_FAILED);
    }
    objects_clear(0);
}

TEST(a_public_key_attribute_that_cannot_be_fetched_answers_only_codes_c_getattributevalue_may_return)
{
    /* PKCS#11 v2.40/3.0 §5.7.5 lists neither CKR_KEY_HANDLE_INVALID nor
     * CKR_KEY_FUNCTION_NOT_PERMITTED nor CKR_USER_NOT_LOGGED_IN for C_GetAttributeValue. A public
     * key gone or not to be seen fails that one attribute (a soft error), anything else the call. */
    static const struct {
        uint32_t reason;
        CK_RV rv;
    } cases[] = {{0x01, CKR_ATTRIBUTE_TYPE_INVALID}, {0x37, CKR_ATTRIBUTE_TYPE_INVALID},
                 {0x0C, CKR_ATTRIBUTE_SENSITIVE},    {0x43, CKR_ATTRIBUTE_SENSITIVE},
                 {0x03, CKR_FUNCTION_FAILED},        {0x07, CKR_FUNCTION_FAILED},
                 {0x44, CKR_DEVICE_ERROR},           {0x04, CKR_GENERAL_ERROR}};
    static const char *const priv[] = {"u-priv-rsa"};
    for (size_t i = 0; i < COUNT(cases); i++) {
        objects_init();
        struct slot sl = {.exchange = canned_exchange};
        CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
        CK_ULONG device_error = 0;
        canned_reset(cases[i].reason, 1);
        canned.held[0] = priv[0];
        CHECK_RV(objects_load(&sl, priv, 1, &device_error, &h), CKR_OK);
        struct object *o = object_get(h);
        CHECK(o != NULL);
        if (!o)
            continue;
        struct attr_buf b = {0};
        CHECK_RV(object_attribute(&sl, o, CKA_PUBLIC_KEY_INFO, &b, &device_error), cases[i].rv);
        CHECK(canned.messages == 2 && !strcmp(canned.first[1], "u-pub-linked"));
        free(b.dyn);
        if (i == 0) {
            /* A private key without a public key link at all. */
            o->pub_uid[0] = 0;
            CHECK_RV(object_attribute(&sl, o, CKA_MODULUS, &b, &device_error), CKR_ATTRIBUTE_TYPE_INVALID);
            free(b.dyn);
        }
        object_put(o);
        objects_clear(0);
    }
}

TEST(only_a_key_tresor_generated_is_local)
{
    objects_init();
    static const char *const uids[] = {"u-aes", "u-registered"};
    struct slot sl = {.exchange = canned_exchange};
    CK_OBJECT_HANDLE handles[2];
    CK_ULONG device_error = 0;
    canned_reset(0x01, 1);
    canned.held[0] = uids[0];
    canned.held[1] = uids[1];
    CHECK_RV(objects_load(&sl, uids, 2, &device_error, handles), CKR_OK);
    for (int i = 0; i < 2; i++) {
        struct object *o = object_get(handles[i]);
        struct attr_buf local = {0}, mechanism = {0};
        CK_ULONG m = 0;
        CHECK(o != NULL);
        if (!o)
            continue;
        CHECK_RV(object_attribute(&sl, o, CKA_LOCAL, &local, &device_error), CKR_OK);
        CHECK_RV(object_attribute(&sl, o, CKA_KEY_GEN_MECHANISM, &mechanism, &device_error), CKR_OK);
        memcpy(&m, mechanism.value, sizeof(m));
        /* Generated: CK_TRUE and AES key generation; registered: neither is claimed. */
        CHECK(local.len == 1 && ((const CK_BBOOL *)local.value)[0] == (i == 0 ? CK_TRUE : CK_FALSE));
        CHECK(m == (i == 0 ? CKM_AES_KEY_GEN : CK_UNAVAILABLE_INFORMATION));
        object_put(o);
    }
    objects_clear(0);
}
