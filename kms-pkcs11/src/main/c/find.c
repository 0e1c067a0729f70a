/* C_FindObjects* (KMIP Locate, then attributes filtered locally) and C_DestroyObject. */
#include "tresor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LOCATE_MAX_ITEMS 1000

static int matches(struct slot *s, struct object *o, const CK_ATTRIBUTE *t, CK_ULONG n)
{
    for (CK_ULONG i = 0; i < n; i++) {
        struct attr_buf b = {0};
        CK_ULONG ignored;
        int ok = object_attribute(s, o, t[i].type, &b, &ignored) == CKR_OK && b.len == t[i].ulValueLen &&
                 (b.len == 0 || (t[i].pValue && !memcmp(b.value, t[i].pValue, b.len)));
        free(b.dyn);
        if (!ok)
            return 0;
    }
    return 1;
}

/* Opens Attribute{Vendor Identification "y", Attribute Name}; the caller adds the value. */
static void server_attribute_begin(ttlv_writer *w, const char *name)
{
    ttlv_begin(w, TAG_ATTRIBUTE);
    ttlv_put_text(w, TAG_VENDOR_IDENTIFICATION, "y", 1);
    ttlv_put_text(w, TAG_ATTRIBUTE_NAME, name, strlen(name));
}

struct locate_request {
    const CK_ATTRIBUTE *t;
    CK_ULONG n;
};

static void build_locate(ttlv_writer *w, void *arg)
{
    const struct locate_request *l = arg;
    CK_ULONG cls, kt;
    const CK_ATTRIBUTE *label = template_find(l->t, l->n, CKA_LABEL);
    const CK_ATTRIBUTE *id = template_find(l->t, l->n, CKA_ID);
    kmip_item_begin(w, KMIP_OP_LOCATE);
    ttlv_put_int(w, 0x42004F /* Maximum Items */, LOCATE_MAX_ITEMS);
    ttlv_begin(w, TAG_ATTRIBUTES);
    if (template_ulong(l->t, l->n, CKA_CLASS, &cls))
        ttlv_put_enum(w, TAG_OBJECT_TYPE, cls == CKO_SECRET_KEY ? KMIP_OBJ_SYMMETRIC
                                          : cls == CKO_PUBLIC_KEY ? KMIP_OBJ_PUBLIC
                                          : KMIP_OBJ_PRIVATE);
    if (template_ulong(l->t, l->n, CKA_KEY_TYPE, &kt))
        ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, kt == CKK_AES ? KMIP_ALG_AES
                                               : kt == CKK_RSA ? KMIP_ALG_RSA : KMIP_ALG_EC);
    if (label && label->pValue && label->ulValueLen)
        kmip_put_name(w, label->pValue, label->ulValueLen);
    if (id && id->pValue && id->ulValueLen)
        kmip_put_client_attribute(w, ATTR_PKCS11_ID, id->pValue, id->ulValueLen);
    /* The server's own attributes narrow the search too (a CSI driver asks for the primary). */
    CK_ULONG version;
    int primary;
    if (template_ulong(l->t, l->n, CKA_TRESOR_VERSION, &version) && version <= INT32_MAX) {
        server_attribute_begin(w, ATTR_VERSION);
        ttlv_put_int(w, TAG_ATTRIBUTE_VALUE, (int32_t)version);
        ttlv_end(w);
    }
    if (template_bool(l->t, l->n, CKA_TRESOR_PRIMARY, -1, &primary) && primary >= 0) {
        server_attribute_begin(w, ATTR_PRIMARY);
        ttlv_put_bool(w, TAG_ATTRIBUTE_VALUE, primary);
        ttlv_end(w);
    }
    ttlv_end(w);
    kmip_item_end(w);
}

/* Collects the UIDs a template can match on the server (Locate, or the given CKA_UNIQUE_ID). */
static CK_RV locate(struct slot *s, const CK_ATTRIBUTE *t, CK_ULONG n, enum ckr_context ctx,
                    char ***uids, size_t *count, CK_ULONG *device_error)
{
    *uids = NULL;
    *count = 0;
    const CK_ATTRIBUTE *unique = template_find(t, n, CKA_UNIQUE_ID);
    if (unique) {
        if (!unique->pValue || unique->ulValueLen == 0 || unique->ulValueLen > TRESOR_UID_MAX)
            return CKR_OK;
        *uids = calloc(1, sizeof(char *));
        if (!*uids || !((*uids)[0] = strndup(unique->pValue, unique->ulValueLen)))
            return CKR_HOST_MEMORY;
        *count = 1;
        return CKR_OK;
    }
    CK_ULONG cls, kt;
    if ((template_ulong(t, n, CKA_CLASS, &cls) && cls != CKO_SECRET_KEY && cls != CKO_PUBLIC_KEY &&
         cls != CKO_PRIVATE_KEY) ||
        (template_ulong(t, n, CKA_KEY_TYPE, &kt) && kt != CKK_AES && kt != CKK_RSA && kt != CKK_EC))
        return CKR_OK; /* Tresor holds no such objects */
    struct locate_request l = {t, n};
    struct kmip_response resp;
    CK_RV rv = s->exchange(s, 1, build_locate, &l, 1, &resp);
    if (rv != CKR_OK)
        return rv;
    struct kmip_result r;
    if (!kmip_result_at(&resp, 0, &r)) {
        rv = CKR_GENERAL_ERROR;
    } else if (r.status != 0) {
        rv = ckr_from_result(&r, ctx, device_error);
    } else if (r.has_payload) {
        size_t pos = 0, cap = 0;
        ttlv_item it;
        while (rv == CKR_OK && ttlv_next(&r.payload, &pos, &it)) {
            const uint8_t *p;
            size_t len;
            if (it.tag != TAG_UNIQUE_IDENTIFIER || !ttlv_bytes(&it, &p, &len) || len == 0 ||
                len > TRESOR_UID_MAX)
                continue;
            if (*count == cap) {
                cap = cap ? cap * 2 : 16;
                char **grown = realloc(*uids, cap * sizeof(char *));
                if (!grown) {
                    rv = CKR_HOST_MEMORY;
                    break;
                }
                *uids = grown;
            }
            if (!((*uids)[*count] = strndup((const char *)p, len)))
                rv = CKR_HOST_MEMORY;
            else
                (*count)++;
        }
    }
    kmip_response_free(&resp);
    return rv;
}

static void free_uids(char **uids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(uids[i]);
    free(uids);
}

/* Primary versions first, then newer versions first. */
static int by_primary_then_version(const void *a, const void *b)
{
    const struct object *x = *(struct object *const *)a, *y = *(struct object *const *)b;
    if (x->primary != y->primary)
        return y->primary - x->primary;
    return (y->version > x->version) - (y->version < x->version);
}

static CK_RV collect_matches(struct slot *s, const CK_ATTRIBUTE *t,
                             CK_ULONG n, int with_token, struct operation *op)
{
    size_t m = 0;
    struct object **cand = objects_snapshot(s->id, with_token, &m);
    if (!cand)
        return CKR_HOST_MEMORY;
    qsort(cand, m, sizeof(*cand), by_primary_then_version);
    op->found = malloc((m ? m : 1) * sizeof(CK_OBJECT_HANDLE));
    for (size_t i = 0; i < m; i++) {
        if (op->found && matches(s, cand[i], t, n))
            op->found[op->found_n++] = cand[i]->handle;
        object_put(cand[i]);
    }
    free(cand);
    return op->found ? CKR_OK : CKR_HOST_MEMORY;
}

/* Brings every server object the template can match into the registry; a refused Locate answers
 * as ctx says. */
static CK_RV load_candidates(struct slot *sl, const CK_ATTRIBUTE *t, CK_ULONG n, enum ckr_context ctx,
                             CK_ULONG *device_error)
{
    char **uids = NULL;
    size_t count = 0;
    CK_RV rv = locate(sl, t, n, ctx, &uids, &count, device_error);
    CK_OBJECT_HANDLE *handles = count ? calloc(count, sizeof(*handles)) : NULL;
    if (rv == CKR_OK && count && !handles)
        rv = CKR_HOST_MEMORY;
    if (rv == CKR_OK)
        rv = objects_load(sl, (const char *const *)uids, count, device_error, handles);
    /* A UNIQUE_ID that names nothing simply matches nothing. */
    if (rv == CKR_OBJECT_HANDLE_INVALID)
        rv = CKR_OK;
    free(handles);
    free_uids(uids, count);
    return rv;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_NONE, &s);
    if (rv != CKR_OK)
        return rv;
    struct slot *sl = lib_slot(s->slot);
    int token_wanted = 1;
    CK_ULONG device_error = 0;
    if (!pTemplate && ulCount)
        rv = CKR_ARGUMENTS_BAD;
    else if (!template_bool(pTemplate, ulCount, CKA_TOKEN, 1, &token_wanted))
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    if (rv == CKR_OK && token_wanted)
        rv = load_candidates(sl, pTemplate, ulCount, CKR_CTX_FIND, &device_error);
    if (rv == CKR_OK) {
        rv = collect_matches(sl, pTemplate, ulCount, token_wanted, &s->op);
        if (rv == CKR_OK)
            s->op.kind = OP_FIND;
    }
    if (device_error)
        s->device_error = device_error;
    return op_release(s, rv, 0);
}

CK_RV find_key_version(struct slot *sl, const struct object *key, uint32_t version,
                       struct object **out, CK_ULONG *device_error)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_ULONG v = version;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
                        {CKA_LABEL, (void *)key->label, strlen(key->label)},
                        {CKA_TRESOR_VERSION, &v, sizeof(v)}};
    CK_RV rv = load_candidates(sl, t, 3, CKR_CTX_OTHER, device_error);
    size_t m = 0;
    struct object **cand = rv == CKR_OK ? objects_snapshot(sl->id, 1, &m) : NULL;
    if (rv == CKR_OK && !cand)
        rv = CKR_HOST_MEMORY;
    *out = NULL;
    for (size_t i = 0; i < m; i++) {
        if (!*out && matches(sl, cand[i], t, 3))
            *out = cand[i];
        else
            object_put(cand[i]);
    }
    free(cand);
    return rv != CKR_OK ? rv : *out ? CKR_OK : CKR_ENCRYPTED_DATA_INVALID;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
                    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_FIND, &s);
    if (rv != CKR_OK)
        return rv;
    if (!pulObjectCount || (!phObject && ulMaxObjectCount)) {
        pthread_mutex_lock(&s->mu);
        s->busy = 0;
        pthread_mutex_unlock(&s->mu);
        session_release(s);
        lib_leave();
        return CKR_ARGUMENTS_BAD;
    }
    struct operation *op = &s->op;
    CK_ULONG n = 0;
    while (n < ulMaxObjectCount && op->found_pos < op->found_n)
        phObject[n++] = op->found[op->found_pos++];
    *pulObjectCount = n;
    return op_release(s, CKR_OK, 0);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_FIND, &s);
    return rv != CKR_OK ? rv : op_release(s, CKR_OK, 1);
}

/* ---- destroy ---- */

static void build_revoke_destroy(ttlv_writer *w, void *arg)
{
    const char *uid = arg;
    kmip_item_begin(w, KMIP_OP_REVOKE);
    kmip_put_uid(w, uid);
    ttlv_begin(w, TAG_REVOCATION_REASON);
    ttlv_put_enum(w, TAG_REVOCATION_REASON_CODE, 6 /* Cessation of Operation */);
    ttlv_end(w);
    kmip_item_end(w);
    kmip_item_begin(w, KMIP_OP_DESTROY);
    kmip_put_uid(w, uid);
    kmip_item_end(w);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG device_error = 0;
    struct object *o = object_for_session(hObject, s->slot);
    if (!o) {
        rv = CKR_OBJECT_HANDLE_INVALID;
    } else if (o->owner) {
        objects_drop_handle(hObject);
    } else if (o->cls == CKO_PUBLIC_KEY) {
        rv = CKR_ACTION_PROHIBITED;
    } else {
        struct kmip_response resp;
        struct slot *sl = lib_slot(s->slot);
        rv = sl->exchange(sl, 2, build_revoke_destroy, o->uid, 0, &resp);
        struct kmip_result r;
        for (int i = 0; rv == CKR_OK && i < 2; i++) {
            if (!kmip_result_at(&resp, i, &r))
                rv = CKR_GENERAL_ERROR;
            else if (r.status != 0)
                rv = ckr_from_result(&r, CKR_CTX_DESTROY, &device_error);
        }
        if (rv == CKR_OK || rv == CKR_OBJECT_HANDLE_INVALID)
            objects_drop_uid(o->uid);
        kmip_response_free(&resp);
    }
    session_set_device_error(s, device_error);
    object_put(o);
    session_leave(s);
    return rv;
}
