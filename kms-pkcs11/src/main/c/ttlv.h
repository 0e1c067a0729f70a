/* KMIP TTLV (tag, type, length, value) binary encoding: a bounded writer and a checked reader. */
#ifndef TRESOR_TTLV_H
#define TRESOR_TTLV_H

#include <stddef.h>
#include <stdint.h>

enum ttlv_type {
    TTLV_STRUCTURE = 0x01, TTLV_INTEGER = 0x02, TTLV_LONG = 0x03, TTLV_BIGINT = 0x04,
    TTLV_ENUM = 0x05, TTLV_BOOL = 0x06, TTLV_TEXT = 0x07, TTLV_BYTES = 0x08,
    TTLV_DATETIME = 0x09, TTLV_INTERVAL = 0x0A, TTLV_DATETIME_EXT = 0x0B
};

/* Messages larger than this are refused in both directions (64 KiB of data plus headroom). */
#define TTLV_MAX_MESSAGE (1024u * 1024u)
#define TTLV_MAX_DEPTH 16

/*
 * Writer. Errors are sticky: after any failure (allocation, size limit, unbalanced structure)
 * every call is a no-op and ttlv_writer_ok() is false. The buffer may hold key material and is
 * wiped whenever it is moved or freed.
 */
typedef struct ttlv_writer {
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t open[TTLV_MAX_DEPTH];
    int depth;
    int failed;
} ttlv_writer;

void ttlv_writer_init(ttlv_writer *w);
void ttlv_writer_free(ttlv_writer *w);
int ttlv_writer_ok(const ttlv_writer *w);
void ttlv_begin(ttlv_writer *w, uint32_t tag);
void ttlv_end(ttlv_writer *w);
void ttlv_put_int(ttlv_writer *w, uint32_t tag, int32_t v);
void ttlv_put_enum(ttlv_writer *w, uint32_t tag, uint32_t v);
void ttlv_put_bool(ttlv_writer *w, uint32_t tag, int v);
void ttlv_put_long(ttlv_writer *w, uint32_t tag, int64_t v);
void ttlv_put_datetime(ttlv_writer *w, uint32_t tag, int64_t seconds);
void ttlv_put_text(ttlv_writer *w, uint32_t tag, const char *s, size_t n);
void ttlv_put_bytes(ttlv_writer *w, uint32_t tag, const uint8_t *p, size_t n);

/* Reader: an item points into a buffer that ttlv_validate() has checked as a whole. */
typedef struct ttlv_item {
    uint32_t tag;
    uint8_t type;
    uint32_t len;
    const uint8_t *value;
} ttlv_item;

/* Checks one complete item (lengths, padding, types, nesting depth) filling exactly n bytes. */
int ttlv_validate(const uint8_t *p, size_t n, ttlv_item *root);

/* Iterates the children of a structure: *pos starts at 0. Returns 1 and fills out, or 0 at end. */
int ttlv_next(const ttlv_item *parent, size_t *pos, ttlv_item *out);
/* First child with the tag; returns 0 when absent. */
int ttlv_find(const ttlv_item *parent, uint32_t tag, ttlv_item *out);

int ttlv_int(const ttlv_item *it, int32_t *out);
int ttlv_enum(const ttlv_item *it, uint32_t *out);
int ttlv_bool(const ttlv_item *it, int *out);
int ttlv_long(const ttlv_item *it, int64_t *out);
/* Text or byte string: returns its bytes (not NUL-terminated) and length. */
int ttlv_bytes(const ttlv_item *it, const uint8_t **p, size_t *n);
/* Convenience: find a child and read it; 0 when absent or of the wrong type. */
int ttlv_find_int(const ttlv_item *parent, uint32_t tag, int32_t *out);
int ttlv_find_enum(const ttlv_item *parent, uint32_t tag, uint32_t *out);
int ttlv_find_bool(const ttlv_item *parent, uint32_t tag, int *out);
int ttlv_find_bytes(const ttlv_item *parent, uint32_t tag, const uint8_t **p, size_t *n);

/* Reads the 8-byte item header of a frame and returns the total frame size, or 0 if invalid. */
size_t ttlv_frame_size(const uint8_t header[8]);

#endif
