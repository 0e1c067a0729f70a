#include "test.h"
#include "tresor.h"

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

/* Opens a Response Message and writes its header. */
static void response_start(ttlv_writer *w, int major, int minor, int count)
{
    ttlv_begin(w, TAG_RESPONSE_MESSAGE);
    ttlv_begin(w, TAG_RESPONSE_HEADER);
    ttlv_begin(w, TAG_PROTOCOL_VERSION);
    ttlv_put_int(w, TAG_PROTOCOL_MAJOR, major);
    ttlv_put_int(w, TAG_PROTOCOL_MINOR, minor);
    ttlv_end(w);
    ttlv_put_int(w, TAG_BATCH_COUNT, count);
    ttlv_end(w);
}

static void response(ttlv_writer *w)
{
    response_start(w, 2, 1, 2);
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
    response_start(w, 1, 4, 1);
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
