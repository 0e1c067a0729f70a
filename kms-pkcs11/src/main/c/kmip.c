/* KMIP 2.1 request messages and their responses, Discover Versions at first use, and the
 * attestation round of §7. */
#include "tresor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every request says Attestation Capable: the library understands an Attestation Required answer
 * even with `attestation = off`, and only that answer (not Permission Denied, which a server
 * sends to clients without the indicator) lets it report CKR_FUNCTION_REJECTED (PKCS11.md §7). */
void kmip_header(ttlv_writer *w, int batch_count, const struct attestation_credential *cred)
{
    ttlv_begin(w, TAG_REQUEST_HEADER);
    ttlv_begin(w, TAG_PROTOCOL_VERSION);
    ttlv_put_int(w, TAG_PROTOCOL_MAJOR, 2);
    ttlv_put_int(w, TAG_PROTOCOL_MINOR, 1);
    ttlv_end(w);
    ttlv_put_bool(w, TAG_ATTESTATION_CAPABLE, 1);
    if (cred) {
        ttlv_begin(w, TAG_AUTHENTICATION);
        ttlv_begin(w, TAG_CREDENTIAL);
        ttlv_put_enum(w, TAG_CREDENTIAL_TYPE, 3);
        ttlv_begin(w, TAG_CREDENTIAL_VALUE);
        ttlv_begin(w, TAG_NONCE);
        ttlv_put_bytes(w, TAG_NONCE_ID, cred->nonce_id, cred->nonce_id_len);
        ttlv_put_bytes(w, TAG_NONCE_VALUE, cred->nonce_value, cred->nonce_value_len);
        ttlv_end(w);
        ttlv_put_enum(w, TAG_ATTESTATION_TYPE, cred->type);
        ttlv_put_bytes(w, TAG_ATTESTATION_MEASUREMENT, cred->measurement, cred->measurement_len);
        ttlv_end(w);
        ttlv_end(w);
        ttlv_end(w);
    }
    ttlv_put_int(w, TAG_BATCH_COUNT, batch_count);
    ttlv_end(w);
}

void kmip_item_begin(ttlv_writer *w, uint32_t operation)
{
    ttlv_begin(w, TAG_BATCH_ITEM);
    ttlv_put_enum(w, TAG_OPERATION, operation);
    ttlv_begin(w, TAG_REQUEST_PAYLOAD);
}

void kmip_item_end(ttlv_writer *w)
{
    ttlv_end(w);
    ttlv_end(w);
}

void kmip_put_uid(ttlv_writer *w, const char *uid)
{
    ttlv_put_text(w, TAG_UNIQUE_IDENTIFIER, uid, strlen(uid));
}

void kmip_put_name(ttlv_writer *w, const char *name, size_t n)
{
    ttlv_begin(w, TAG_NAME);
    ttlv_put_text(w, TAG_NAME_VALUE, name, n);
    ttlv_put_enum(w, TAG_NAME_TYPE, 1);
    ttlv_end(w);
}

void kmip_put_client_attribute(ttlv_writer *w, const char *name, const void *p, size_t n)
{
    ttlv_begin(w, TAG_ATTRIBUTE);
    ttlv_put_text(w, TAG_VENDOR_IDENTIFICATION, "x", 1);
    ttlv_put_text(w, TAG_ATTRIBUTE_NAME, name, strlen(name));
    ttlv_put_bytes(w, TAG_ATTRIBUTE_VALUE, p, n);
    ttlv_end(w);
}

void kmip_response_free(struct kmip_response *r)
{
    if (r->raw)
        tresor_free_wiped(r->raw, r->len);
    memset(r, 0, sizeof(*r));
}

int kmip_result_at(const struct kmip_response *r, int i, struct kmip_result *out)
{
    memset(out, 0, sizeof(*out));
    size_t pos = 0;
    ttlv_item item;
    int seen = 0;
    while (ttlv_next(&r->root, &pos, &item)) {
        if (item.tag != TAG_BATCH_ITEM || item.type != TTLV_STRUCTURE || seen++ != i)
            continue;
        if (!ttlv_find_enum(&item, TAG_RESULT_STATUS, &out->status))
            return 0;
        ttlv_find_enum(&item, TAG_RESULT_REASON, &out->reason);
        ttlv_find_bytes(&item, TAG_RESULT_MESSAGE, &out->message, &out->message_len);
        out->has_payload = ttlv_find(&item, TAG_RESPONSE_PAYLOAD, &out->payload) &&
                           out->payload.type == TTLV_STRUCTURE;
        return 1;
    }
    return 0;
}

static CK_RV parse_response(uint8_t *raw, size_t len, struct kmip_response *resp)
{
    resp->raw = raw;
    resp->len = len;
    int32_t major = 0, count = 0;
    ttlv_item version;
    if (!ttlv_validate(raw, len, &resp->root) || resp->root.tag != TAG_RESPONSE_MESSAGE ||
        resp->root.type != TTLV_STRUCTURE ||
        !ttlv_find(&resp->root, TAG_RESPONSE_HEADER, &resp->header) ||
        !ttlv_find(&resp->header, TAG_PROTOCOL_VERSION, &version) ||
        !ttlv_find_int(&version, TAG_PROTOCOL_MAJOR, &major) ||
        !ttlv_find_int(&resp->header, TAG_BATCH_COUNT, &count) || count < 1) {
        fprintf(stderr, "tresor-pkcs11: the KMIP server sent a response this library cannot "
                        "decode\n");
        return CKR_GENERAL_ERROR;
    }
    if (major != 2) {
        fprintf(stderr, "tresor-pkcs11: the KMIP server answered with protocol %d.x; this "
                        "library speaks KMIP 2.1\n", (int)major);
        return CKR_DEVICE_ERROR;
    }
    resp->count = count;
    return CKR_OK;
}

/* Sends the message in w (freeing w) and returns the raw response frame. */
static CK_RV roundtrip(struct slot *s, ttlv_writer *w, int idempotent, uint8_t **raw, size_t *len)
{
    if (!ttlv_writer_ok(w)) {
        ttlv_writer_free(w);
        return CKR_HOST_MEMORY;
    }
    enum transport_result tr = pool_roundtrip(&s->pool, w->buf, w->len, idempotent, raw, len);
    ttlv_writer_free(w);
    switch (tr) {
    case TRANSPORT_OK:
        return CKR_OK;
    case TRANSPORT_NO_MEMORY:
        return CKR_HOST_MEMORY;
    case TRANSPORT_BAD_FRAME:
        fprintf(stderr, "tresor-pkcs11: %s:%s sent something that is not a KMIP response\n",
                s->conf->host, s->conf->port);
        return CKR_GENERAL_ERROR;
    default:
        return CKR_DEVICE_ERROR;
    }
}

static CK_RV send_once(struct slot *s, int n, kmip_build_fn build, void *arg, int idempotent,
                       const struct attestation_credential *cred, struct kmip_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    ttlv_writer w;
    ttlv_writer_init(&w);
    ttlv_begin(&w, TAG_REQUEST_MESSAGE);
    kmip_header(&w, n, cred);
    build(&w, arg);
    ttlv_end(&w);
    uint8_t *raw = NULL;
    size_t len = 0;
    CK_RV rv = roundtrip(s, &w, idempotent, &raw, &len);
    if (rv != CKR_OK)
        return rv;
    rv = parse_response(raw, len, resp);
    if (rv != CKR_OK)
        kmip_response_free(resp);
    return rv;
}

static void put_version(ttlv_writer *w, int major, int minor)
{
    ttlv_begin(w, TAG_PROTOCOL_VERSION);
    ttlv_put_int(w, TAG_PROTOCOL_MAJOR, major);
    ttlv_put_int(w, TAG_PROTOCOL_MINOR, minor);
    ttlv_end(w);
}

void kmip_discover_request(ttlv_writer *w)
{
    ttlv_begin(w, TAG_REQUEST_MESSAGE);
    ttlv_begin(w, TAG_REQUEST_HEADER);
    put_version(w, 1, 4);
    ttlv_put_int(w, TAG_BATCH_COUNT, 1);
    ttlv_end(w);
    kmip_item_begin(w, KMIP_OP_DISCOVER_VERSIONS);
    put_version(w, 2, 1);
    put_version(w, 1, 4);
    kmip_item_end(w);
    ttlv_end(w);
}

enum kmip_discovery kmip_discover_answer(const uint8_t *raw, size_t len, int *major, int *minor)
{
    ttlv_item root, item, payload, version;
    uint32_t status = 0;
    int32_t ma = 0, mi = 0;
    *major = *minor = 0;
    if (!ttlv_validate(raw, len, &root) || root.tag != TAG_RESPONSE_MESSAGE ||
        root.type != TTLV_STRUCTURE || !ttlv_find(&root, TAG_BATCH_ITEM, &item) ||
        !ttlv_find_enum(&item, TAG_RESULT_STATUS, &status))
        return KMIP_UNDECODABLE;
    if (status != 0)
        return KMIP_SPEAKS_21;
    if (!ttlv_find(&item, TAG_RESPONSE_PAYLOAD, &payload) ||
        !ttlv_find(&payload, TAG_PROTOCOL_VERSION, &version))
        return KMIP_LACKS_21; /* no version in common */
    if (!ttlv_find_int(&version, TAG_PROTOCOL_MAJOR, &ma) ||
        !ttlv_find_int(&version, TAG_PROTOCOL_MINOR, &mi))
        return KMIP_UNDECODABLE;
    *major = ma, *minor = mi;
    return ma == 2 && mi >= 1 ? KMIP_SPEAKS_21 : KMIP_LACKS_21;
}

/* One Discover Versions round trip per slot and C_Initialize; later calls skip it. */
static CK_RV agree_version(struct slot *s)
{
    if (atomic_load(&s->version_agreed))
        return CKR_OK;
    ttlv_writer w;
    ttlv_writer_init(&w);
    kmip_discover_request(&w);
    uint8_t *raw = NULL;
    size_t len = 0;
    CK_RV rv = roundtrip(s, &w, 1, &raw, &len);
    if (rv != CKR_OK)
        return rv;
    int major, minor;
    enum kmip_discovery d = kmip_discover_answer(raw, len, &major, &minor);
    tresor_free_wiped(raw, len);
    switch (d) {
    case KMIP_SPEAKS_21:
        atomic_store(&s->version_agreed, 1);
        return CKR_OK;
    case KMIP_LACKS_21:
        if (major)
            fprintf(stderr, "tresor-pkcs11: %s:%s offers KMIP %d.%d at best; this library speaks "
                            "KMIP 2.1\n", s->conf->host, s->conf->port, major, minor);
        else
            fprintf(stderr, "tresor-pkcs11: %s:%s has no KMIP version in common with this library "
                            "(2.1)\n", s->conf->host, s->conf->port);
        return CKR_DEVICE_ERROR;
    default:
        fprintf(stderr, "tresor-pkcs11: %s:%s answered Discover Versions with something this "
                        "library cannot decode\n", s->conf->host, s->conf->port);
        return CKR_GENERAL_ERROR;
    }
}

/* The server asked for evidence: a Nonce in the response header and reason 0x14. */
static int attestation_requested(const struct kmip_response *r, ttlv_item *nonce)
{
    struct kmip_result first;
    return kmip_result_at(r, 0, &first) && first.status != 0 &&
           first.reason == KMIP_REASON_ATTESTATION_REQUIRED &&
           ttlv_find(&r->header, TAG_NONCE, nonce) && nonce->type == TTLV_STRUCTURE;
}

CK_RV kmip_exchange(struct slot *s, int n, kmip_build_fn build, void *arg, int idempotent,
                    struct kmip_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    CK_RV rv = agree_version(s);
    if (rv != CKR_OK)
        return rv;
    rv = send_once(s, n, build, arg, idempotent, NULL, resp);
    ttlv_item nonce;
    if (rv != CKR_OK || !attestation_requested(resp, &nonce))
        return rv;
    if (!attest_enabled(s->conf)) {
        fprintf(stderr, "tresor-pkcs11: the key requires attestation and no evidence provider is "
                        "configured (`attestation`, docs/pkcs11.md)\n");
        return CKR_OK; /* reason 0x14 stays and maps to FUNCTION_REJECTED */
    }
    struct attestation_credential cred = {0};
    uint8_t report_data[64];
    if (!ttlv_find_bytes(&nonce, TAG_NONCE_ID, &cred.nonce_id, &cred.nonce_id_len) ||
        !ttlv_find_bytes(&nonce, TAG_NONCE_VALUE, &cred.nonce_value, &cred.nonce_value_len))
        return CKR_OK; /* reason 0x14 stays and maps to FUNCTION_REJECTED */
    attest_report_data(cred.nonce_id, cred.nonce_id_len, cred.nonce_value, cred.nonce_value_len,
                       s->pool.cert_spki_sha256, report_data);
    if (!attest_collect(s->conf, report_data, &cred))
        return CKR_OK;
    struct kmip_response second;
    rv = send_once(s, n, build, arg, idempotent, &cred, &second);
    tresor_free_wiped(cred.measurement, cred.measurement_len);
    kmip_response_free(resp);
    *resp = second;
    return rv;
}
