#include "canned.h"
#include "test.h"

#include <string.h>

void canned_response_start(ttlv_writer *w, int major, int minor, int count)
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

void canned_refused(ttlv_writer *w, uint32_t operation, uint32_t reason)
{
    ttlv_begin(w, TAG_BATCH_ITEM);
    ttlv_put_enum(w, TAG_OPERATION, operation);
    ttlv_put_enum(w, TAG_RESULT_STATUS, 1);
    ttlv_put_enum(w, TAG_RESULT_REASON, reason);
    ttlv_end(w);
}

void canned_response_end(ttlv_writer *w, struct kmip_response *resp)
{
    ttlv_end(w);
    memset(resp, 0, sizeof(*resp));
    CHECK(ttlv_writer_ok(w) && ttlv_validate(w->buf, w->len, &resp->root));
    resp->raw = w->buf;
    resp->len = w->len;
}
