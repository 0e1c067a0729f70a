/*
 * The object registry: token keys (one per KMIP managed object) and session keys (secret
 * bytes in locked memory). Published objects are immutable and reference counted; a refresh
 * publishes a new object under the same handle.
 */
#include "tresor.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static pthread_rwlock_t g_objects_rw;
static struct object **g_objects;
static size_t g_objects_n, g_objects_cap;

void objects_init(void)
{
    pthread_rwlock_init(&g_objects_rw, NULL);
    g_objects = NULL;
    g_objects_n = g_objects_cap = 0;
}

struct object *object_new(void)
{
    struct object *o = calloc(1, sizeof(*o));
    if (o)
        atomic_init(&o->refs, 1);
    return o;
}

static void object_free(struct object *o)
{
    secure_free(o->secret, o->secret_mapped);
    free(o->spki);
    OPENSSL_cleanse(o, sizeof(*o));
    free(o);
}

void object_put(struct object *o)
{
    if (o && atomic_fetch_sub(&o->refs, 1) == 1)
        object_free(o);
}

/* In a forked child no other thread exists: drop everything without taking the lock. */
void objects_clear(int after_fork)
{
    if (!after_fork)
        pthread_rwlock_wrlock(&g_objects_rw);
    for (size_t i = 0; i < g_objects_n; i++)
        object_put(g_objects[i]);
    free(g_objects);
    g_objects = NULL;
    g_objects_n = g_objects_cap = 0;
    if (!after_fork) {
        pthread_rwlock_unlock(&g_objects_rw);
        pthread_rwlock_destroy(&g_objects_rw);
    }
}

static struct object *find_locked(CK_OBJECT_HANDLE h, size_t *index)
{
    for (size_t i = 0; i < g_objects_n; i++)
        if (g_objects[i]->handle == h) {
            if (index)
                *index = i;
            return g_objects[i];
        }
    return NULL;
}

struct object *object_get(CK_OBJECT_HANDLE h)
{
    pthread_rwlock_rdlock(&g_objects_rw);
    struct object *o = find_locked(h, NULL);
    if (o)
        atomic_fetch_add(&o->refs, 1);
    pthread_rwlock_unlock(&g_objects_rw);
    return o;
}

/* Session objects belong to the application: every session on their slot may use them; the
 * creating session's end destroys them. */
struct object *object_for_session(CK_OBJECT_HANDLE h, CK_SLOT_ID slot)
{
    struct object *o = object_get(h);
    if (o && o->slot != slot) {
        object_put(o);
        o = NULL;
    }
    return o;
}

static CK_OBJECT_HANDLE fresh_handle_locked(void)
{
    for (;;) {
        uint32_t h = 0;
        if (RAND_bytes((unsigned char *)&h, sizeof(h)) != 1)
            return CK_INVALID_HANDLE;
        if (h != 0 && !find_locked(h, NULL))
            return h;
    }
}

struct object *object_publish(struct object *o)
{
    struct object *old = NULL;
    pthread_rwlock_wrlock(&g_objects_rw);
    for (size_t i = 0; o->uid[0] && i < g_objects_n && !old; i++)
        if (!g_objects[i]->owner && g_objects[i]->slot == o->slot &&
            !strcmp(g_objects[i]->uid, o->uid)) {
            old = g_objects[i];
            o->handle = old->handle;
            g_objects[i] = o;
        }
    if (!old) {
        if (g_objects_n == g_objects_cap) {
            size_t cap = g_objects_cap ? g_objects_cap * 2 : 64;
            struct object **grown = realloc(g_objects, cap * sizeof(*grown));
            if (!grown) {
                pthread_rwlock_unlock(&g_objects_rw);
                object_put(o);
                return NULL;
            }
            g_objects = grown;
            g_objects_cap = cap;
        }
        o->handle = fresh_handle_locked();
        g_objects[g_objects_n++] = o;
    }
    atomic_fetch_add(&o->refs, 1);
    pthread_rwlock_unlock(&g_objects_rw);
    object_put(old);
    return o;
}

static void drop_where(int (*match)(const struct object *, const void *), const void *arg)
{
    struct object *dropped[64];
    for (;;) {
        size_t n = 0;
        pthread_rwlock_wrlock(&g_objects_rw);
        for (size_t i = 0; i < g_objects_n && n < 64;)
            if (match(g_objects[i], arg)) {
                dropped[n++] = g_objects[i];
                g_objects[i] = g_objects[--g_objects_n];
            } else {
                i++;
            }
        pthread_rwlock_unlock(&g_objects_rw);
        for (size_t i = 0; i < n; i++)
            object_put(dropped[i]);
        if (n < 64)
            return;
    }
}

static int owned_by(const struct object *o, const void *arg)
{
    return o->owner == *(const CK_SESSION_HANDLE *)arg;
}

static int has_uid(const struct object *o, const void *arg)
{
    return !o->owner && !strcmp(o->uid, arg);
}

static int has_handle(const struct object *o, const void *arg)
{
    return o->handle == *(const CK_OBJECT_HANDLE *)arg;
}

void objects_drop_session(CK_SESSION_HANDLE owner) { drop_where(owned_by, &owner); }
void objects_drop_uid(const char *uid) { drop_where(has_uid, uid); }
void objects_drop_handle(CK_OBJECT_HANDLE h) { drop_where(has_handle, &h); }

struct object **objects_snapshot(CK_SLOT_ID slot, int with_token, size_t *n)
{
    pthread_rwlock_rdlock(&g_objects_rw);
    struct object **out = malloc((g_objects_n ? g_objects_n : 1) * sizeof(*out));
    *n = 0;
    for (size_t i = 0; out && i < g_objects_n; i++) {
        struct object *o = g_objects[i];
        if (o->slot == slot && (o->owner || with_token)) {
            atomic_fetch_add(&o->refs, 1);
            out[(*n)++] = o;
        }
    }
    pthread_rwlock_unlock(&g_objects_rw);
    return out;
}

/* ---- templates ---- */

const CK_ATTRIBUTE *template_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
    for (CK_ULONG i = 0; t && i < n; i++)
        if (t[i].type == type)
            return &t[i];
    return NULL;
}

int template_bool(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, int dflt, int *out)
{
    const CK_ATTRIBUTE *a = template_find(t, n, type);
    *out = dflt;
    if (!a)
        return 1;
    if (!a->pValue || a->ulValueLen != sizeof(CK_BBOOL))
        return 0;
    *out = *(const CK_BBOOL *)a->pValue != CK_FALSE;
    return 1;
}

int template_ulong(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, CK_ULONG *out)
{
    const CK_ATTRIBUTE *a = template_find(t, n, type);
    if (!a || !a->pValue || a->ulValueLen != sizeof(CK_ULONG))
        return 0;
    *out = *(const CK_ULONG *)a->pValue;
    return 1;
}

/* ---- session objects ---- */

CK_RV object_new_session_secret(CK_SLOT_ID slot, CK_SESSION_HANDLE owner, CK_KEY_TYPE kt,
                                const uint8_t *value, size_t len, const CK_ATTRIBUTE *t,
                                CK_ULONG n, int unwrapped, CK_OBJECT_HANDLE *out)
{
    struct object *o = object_new();
    if (!o)
        return CKR_HOST_MEMORY;
    o->slot = slot;
    o->owner = owner;
    o->cls = CKO_SECRET_KEY;
    o->key_type = kt;
    o->bits = len * 8;
    int enc, dec, wrap, unwrap, sens, extr;
    const CK_ATTRIBUTE *label = template_find(t, n, CKA_LABEL), *id = template_find(t, n, CKA_ID);
    if (!template_bool(t, n, CKA_ENCRYPT, 0, &enc) || !template_bool(t, n, CKA_DECRYPT, 0, &dec) ||
        !template_bool(t, n, CKA_WRAP, 0, &wrap) || !template_bool(t, n, CKA_UNWRAP, 0, &unwrap) ||
        !template_bool(t, n, CKA_SENSITIVE, 0, &sens) ||
        !template_bool(t, n, CKA_EXTRACTABLE, 1, &extr) ||
        (label && (label->ulValueLen > TRESOR_LABEL_MAX || (label->ulValueLen && !label->pValue))) ||
        (id && (id->ulValueLen > TRESOR_ID_MAX || (id->ulValueLen && !id->pValue)))) {
        object_put(o);
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
    o->can_encrypt = enc;
    o->can_decrypt = dec;
    o->can_wrap = wrap;
    o->can_unwrap = unwrap;
    o->sensitive = sens;
    o->extractable = extr;
    o->always_sensitive = unwrapped ? 0 : sens;
    o->never_extractable = unwrapped ? 0 : !extr;
    o->local = !unwrapped;
    if (label && label->ulValueLen)
        memcpy(o->label, label->pValue, label->ulValueLen);
    if (id && id->ulValueLen) {
        memcpy(o->id, id->pValue, id->ulValueLen);
        o->id_len = id->ulValueLen;
    }
    o->secret = secure_alloc(len, &o->secret_mapped);
    if (!o->secret) {
        object_put(o);
        return CKR_HOST_MEMORY;
    }
    memcpy(o->secret, value, len);
    o->secret_len = len;
    o = object_publish(o);
    if (!o)
        return CKR_HOST_MEMORY;
    *out = o->handle;
    object_put(o);
    return CKR_OK;
}

