#include "ttlv.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static size_t padded(size_t n) { return (n + 7u) & ~(size_t)7u; }

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_be(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | p[i];
    return v;
}

void ttlv_writer_init(ttlv_writer *w) { memset(w, 0, sizeof(*w)); }

void ttlv_writer_free(ttlv_writer *w)
{
    if (w->buf) {
        OPENSSL_cleanse(w->buf, w->cap);
        free(w->buf);
    }
    memset(w, 0, sizeof(*w));
}

int ttlv_writer_ok(const ttlv_writer *w) { return !w->failed && w->depth == 0 && w->len > 0; }

/* Grows by copying, so that no stale copy of key material is left behind by realloc. */
static uint8_t *reserve(ttlv_writer *w, size_t n)
{
    if (w->failed)
        return NULL;
    if (n > TTLV_MAX_MESSAGE || w->len > TTLV_MAX_MESSAGE - n) {
        w->failed = 1;
        return NULL;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 512;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *grown = malloc(cap);
        if (!grown) {
            w->failed = 1;
            return NULL;
        }
        if (w->buf) {
            memcpy(grown, w->buf, w->len);
            OPENSSL_cleanse(w->buf, w->cap);
            free(w->buf);
        }
        w->buf = grown;
        w->cap = cap;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static uint8_t *put_header(ttlv_writer *w, uint32_t tag, uint8_t type, size_t len)
{
    if (len > UINT32_MAX) {
        w->failed = 1;
        return NULL;
    }
    uint8_t *p = reserve(w, 8 + padded(len));
    if (!p)
        return NULL;
    put_be(p, tag, 3);
    p[3] = type;
    put_be(p + 4, len, 4);
    memset(p + 8, 0, padded(len));
    return p + 8;
}

void ttlv_begin(ttlv_writer *w, uint32_t tag)
{
    if (w->depth >= TTLV_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    if (!put_header(w, tag, TTLV_STRUCTURE, 0))
        return;
    w->open[w->depth++] = w->len - 8;
}

void ttlv_end(ttlv_writer *w)
{
    if (w->failed)
        return;
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    size_t start = w->open[--w->depth];
    put_be(w->buf + start + 4, w->len - start - 8, 4);
}

void ttlv_put_int(ttlv_writer *w, uint32_t tag, int32_t v)
{
    uint8_t *p = put_header(w, tag, TTLV_INTEGER, 4);
    if (p)
        put_be(p, (uint32_t)v, 4);
}

void ttlv_put_enum(ttlv_writer *w, uint32_t tag, uint32_t v)
{
    uint8_t *p = put_header(w, tag, TTLV_ENUM, 4);
    if (p)
        put_be(p, v, 4);
}

void ttlv_put_bool(ttlv_writer *w, uint32_t tag, int v)
{
    uint8_t *p = put_header(w, tag, TTLV_BOOL, 8);
    if (p)
        put_be(p, v ? 1 : 0, 8);
}

void ttlv_put_long(ttlv_writer *w, uint32_t tag, int64_t v)
{
    uint8_t *p = put_header(w, tag, TTLV_LONG, 8);
    if (p)
        put_be(p, (uint64_t)v, 8);
}

void ttlv_put_datetime(ttlv_writer *w, uint32_t tag, int64_t seconds)
{
    uint8_t *p = put_header(w, tag, TTLV_DATETIME, 8);
    if (p)
        put_be(p, (uint64_t)seconds, 8);
}

static void put_string(ttlv_writer *w, uint32_t tag, uint8_t type, const uint8_t *s, size_t n)
{
    if (n && !s) {
        w->failed = 1;
        return;
    }
    uint8_t *p = put_header(w, tag, type, n);
    if (p && n)
        memcpy(p, s, n);
}

void ttlv_put_text(ttlv_writer *w, uint32_t tag, const char *s, size_t n)
{
    put_string(w, tag, TTLV_TEXT, (const uint8_t *)s, n);
}

void ttlv_put_bytes(ttlv_writer *w, uint32_t tag, const uint8_t *p, size_t n)
{
    put_string(w, tag, TTLV_BYTES, p, n);
}

/* Reads one item header at p (avail bytes) without looking inside structures. */
static int read_item(const uint8_t *p, size_t avail, ttlv_item *out, size_t *size)
{
    if (avail < 8)
        return 0;
    out->tag = (uint32_t)get_be(p, 3);
    out->type = p[3];
    out->len = (uint32_t)get_be(p + 4, 4);
    out->value = p + 8;
    size_t body = padded(out->len);
    if (body < out->len || body > avail - 8)
        return 0;
    switch (out->type) {
    case TTLV_INTEGER: case TTLV_ENUM: case TTLV_INTERVAL:
        if (out->len != 4)
            return 0;
        break;
    case TTLV_LONG: case TTLV_BOOL: case TTLV_DATETIME: case TTLV_DATETIME_EXT:
        if (out->len != 8)
            return 0;
        break;
    case TTLV_BIGINT: case TTLV_STRUCTURE:
        if (out->len % 8 != 0)
            return 0;
        break;
    case TTLV_TEXT: case TTLV_BYTES:
        break;
    default:
        return 0;
    }
    for (size_t i = out->len; i < body; i++)
        if (out->value[i] != 0)
            return 0;
    *size = 8 + body;
    return 1;
}

static int validate_children(const ttlv_item *s, int depth)
{
    if (depth > TTLV_MAX_DEPTH)
        return 0;
    size_t pos = 0;
    while (pos < s->len) {
        ttlv_item child;
        size_t size;
        if (!read_item(s->value + pos, s->len - pos, &child, &size))
            return 0;
        if (child.type == TTLV_STRUCTURE && !validate_children(&child, depth + 1))
            return 0;
        pos += size;
    }
    return 1;
}

int ttlv_validate(const uint8_t *p, size_t n, ttlv_item *root)
{
    size_t size;
    if (!p || !read_item(p, n, root, &size) || size != n)
        return 0;
    return root->type != TTLV_STRUCTURE || validate_children(root, 1);
}

int ttlv_next(const ttlv_item *parent, size_t *pos, ttlv_item *out)
{
    size_t size;
    if (parent->type != TTLV_STRUCTURE || *pos >= parent->len)
        return 0;
    if (!read_item(parent->value + *pos, parent->len - *pos, out, &size))
        return 0;
    *pos += size;
    return 1;
}

int ttlv_find(const ttlv_item *parent, uint32_t tag, ttlv_item *out)
{
    size_t pos = 0;
    while (ttlv_next(parent, &pos, out))
        if (out->tag == tag)
            return 1;
    return 0;
}

int ttlv_int(const ttlv_item *it, int32_t *out)
{
    if (it->type != TTLV_INTEGER || it->len != 4)
        return 0;
    *out = (int32_t)(uint32_t)get_be(it->value, 4);
    return 1;
}

int ttlv_enum(const ttlv_item *it, uint32_t *out)
{
    if (it->type != TTLV_ENUM || it->len != 4)
        return 0;
    *out = (uint32_t)get_be(it->value, 4);
    return 1;
}

int ttlv_bool(const ttlv_item *it, int *out)
{
    if (it->type != TTLV_BOOL || it->len != 8)
        return 0;
    uint64_t v = get_be(it->value, 8);
    if (v > 1)
        return 0;
    *out = (int)v;
    return 1;
}

int ttlv_long(const ttlv_item *it, int64_t *out)
{
    if ((it->type != TTLV_LONG && it->type != TTLV_DATETIME) || it->len != 8)
        return 0;
    *out = (int64_t)get_be(it->value, 8);
    return 1;
}

int ttlv_bytes(const ttlv_item *it, const uint8_t **p, size_t *n)
{
    if (it->type != TTLV_TEXT && it->type != TTLV_BYTES)
        return 0;
    *p = it->value;
    *n = it->len;
    return 1;
}

int ttlv_find_int(const ttlv_item *parent, uint32_t tag, int32_t *out)
{
    ttlv_item it;
    return ttlv_find(parent, tag, &it) && ttlv_int(&it, out);
}

int ttlv_find_enum(const ttlv_item *parent, uint32_t tag, uint32_t *out)
{
    ttlv_item it;
    return ttlv_find(parent, tag, &it) && ttlv_enum(&it, out);
}

int ttlv_find_bool(const ttlv_item *parent, uint32_t tag, int *out)
{
    ttlv_item it;
    return ttlv_find(parent, tag, &it) && ttlv_bool(&it, out);
}

int ttlv_find_bytes(const ttlv_item *parent, uint32_t tag, const uint8_t **p, size_t *n)
{
    ttlv_item it;
    return ttlv_find(parent, tag, &it) && ttlv_bytes(&it, p, n);
}

size_t ttlv_frame_size(const uint8_t header[8])
{
    uint64_t len = get_be(header + 4, 4);
    if (header[3] != TTLV_STRUCTURE || len % 8 != 0 || len > TTLV_MAX_MESSAGE - 8)
        return 0;
    return (size_t)len + 8;
}
