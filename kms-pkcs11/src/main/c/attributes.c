/*
 * Token objects from KMIP attributes (cached for 30 s, refreshed under the same handle), their
 * public keys, and the PKCS#11 attribute values of every object.
 */
#include "tresor.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define ATTRIBUTE_TTL_SECONDS 30

/* A custom attribute, by name: the Vendor Identification is not needed to tell them apart. */
static void read_custom(struct object *o, const ttlv_item *attr)
{
    const uint8_t *name;
    size_t name_len;
    ttlv_item value;
    if (!ttlv_find_bytes(attr, TAG_ATTRIBUTE_NAME, &name, &name_len) ||
        !ttlv_find(attr, TAG_ATTRIBUTE_VALUE, &value))
        return;
#define IS(s) (name_len == sizeof(s) - 1 && !memcmp(name, s, name_len))
    const uint8_t *p;
    size_t n;
    int b;
    if (IS(ATTR_PKCS11_ID) && ttlv_bytes(&value, &p, &n) && n <= TRESOR_ID_MAX) {
        memcpy(o->id, p, n);
        o->id_len = n;
    } else if (IS(ATTR_VERSION)) {
        ttlv_int(&value, &o->version);
    } else if (IS(ATTR_PRIMARY) && ttlv_bool(&value, &b)) {
        o->primary = b;
    } else if (IS(ATTR_ATTESTED) && ttlv_bool(&value, &b)) {
        o->attested = b;
    } else if (IS(ATTR_GENERATED) && ttlv_bool(&value, &b)) {
        o->local = b;
    }
#undef IS
}

/* Usage from the mask; only the primary version encrypts or wraps (older versions of a rotated
 * key stay for decrypting and unwrapping what they protected). */
static void derive_permissions(struct object *o)
{
    uint32_t u = o->usage;
    if (!o->primary)
        u &= ~(uint32_t)(KMIP_USAGE_ENCRYPT | KMIP_USAGE_WRAP);
    switch (o->cls) {
    case CKO_SECRET_KEY:
        o->can_encrypt = (u & KMIP_USAGE_ENCRYPT) != 0;
        o->can_decrypt = (u & KMIP_USAGE_DECRYPT) != 0;
        o->can_wrap = (u & KMIP_USAGE_WRAP) != 0;
        o->can_unwrap = (u & KMIP_USAGE_UNWRAP) != 0;
        break;
    case CKO_PRIVATE_KEY:
        o->can_decrypt = o->can_unwrap = (u & (KMIP_USAGE_DECRYPT | KMIP_USAGE_UNWRAP)) != 0;
        o->can_sign = (u & KMIP_USAGE_SIGN) != 0;
        break;
    default:
        o->can_encrypt = o->can_wrap = (u & (KMIP_USAGE_ENCRYPT | KMIP_USAGE_WRAP)) != 0;
        o->can_verify = (u & KMIP_USAGE_VERIFY) != 0;
        break;
    }
}

/* Fills o from a Get Attributes payload naming OBJECT_ATTRIBUTES; returns 0 for objects this
 * library cannot present. */
static int object_from_attributes(struct object *o, const ttlv_item *payload)
{
    ttlv_item attrs, it;
    const uint8_t *uid;
    size_t uid_len;
    uint32_t type = 0, alg = 0;
    int32_t len = 0, usage = 0;
    if (!ttlv_find_bytes(payload, TAG_UNIQUE_IDENTIFIER, &uid, &uid_len) || uid_len == 0 ||
        uid_len > TRESOR_UID_MAX || !ttlv_find(payload, TAG_ATTRIBUTES, &attrs) ||
        !ttlv_find_enum(&attrs, TAG_OBJECT_TYPE, &type) ||
        !ttlv_find_enum(&attrs, TAG_CRYPTO_ALGORITHM, &alg))
        return 0;
    uint32_t state = 0;
    if (ttlv_find_enum(&attrs, TAG_STATE, &state) && (state == KMIP_STATE_DESTROYED ||
                                                       state == KMIP_STATE_DESTROYED_COMPROMISED))
        return 0; /* soft-deleted in Tresor: gone for PKCS#11 */
    memcpy(o->uid, uid, uid_len);
    ttlv_find_int(&attrs, TAG_CRYPTO_LENGTH, &len);
    ttlv_find_int(&attrs, TAG_USAGE_MASK, &usage);
    o->bits = len > 0 ? (CK_ULONG)len : 0;
    o->usage = (uint32_t)usage;
    o->cls = type == KMIP_OBJ_SYMMETRIC ? CKO_SECRET_KEY
           : type == KMIP_OBJ_PUBLIC  ? CKO_PUBLIC_KEY
           : type == KMIP_OBJ_PRIVATE ? CKO_PRIVATE_KEY : (CK_OBJECT_CLASS)-1;
    o->key_type = alg == KMIP_ALG_AES ? CKK_AES
                : alg == KMIP_ALG_RSA ? CKK_RSA
                : (alg == KMIP_ALG_EC || alg == KMIP_ALG_ECDSA) ? CKK_EC : (CK_KEY_TYPE)-1;
    if (o->cls == (CK_OBJECT_CLASS)-1 || o->key_type == (CK_KEY_TYPE)-1)
        return 0;
    o->sensitive = o->cls != CKO_PUBLIC_KEY;
    o->extractable = o->cls == CKO_PUBLIC_KEY;
    int b;
    if (o->cls != CKO_PUBLIC_KEY && ttlv_find_bool(&attrs, TAG_EXTRACTABLE, &b))
        o->extractable = b;
    o->always_sensitive = o->sensitive;
    o->never_extractable = !o->extractable;
    size_t pos = 0;
    int replaced = 0;
    o->primary = -1;
    while (ttlv_next(&attrs, &pos, &it)) {
        const uint8_t *p;
        size_t n;
        uint32_t link_type = 0;
        if (it.tag == TAG_NAME && ttlv_find_bytes(&it, TAG_NAME_VALUE, &p, &n) && !o->label[0] &&
            n <= TRESOR_LABEL_MAX) {
            memcpy(o->label, p, n);
        } else if (it.tag == TAG_LINK && ttlv_find_enum(&it, TAG_LINK_TYPE, &link_type)) {
            replaced |= link_type == KMIP_LINK_REPLACEMENT_OBJECT;
            /* Link holds several values; only the first Public Key Link names the public key. */
            if (link_type == KMIP_LINK_PUBLIC_KEY && !o->pub_uid[0] &&
                ttlv_find_bytes(&it, TAG_LINKED_OBJECT_ID, &p, &n) && n <= TRESOR_UID_MAX) {
                memcpy(o->pub_uid, p, n);
                o->pub_uid[n] = 0;
            }
        } else if (it.tag == TAG_ATTRIBUTE) {
            read_custom(o, &it);
        }
    }
    /* Without y-tresor-primary (a server that does not set it), the standard view: an Active
     * object that nothing replaced. */
    if (o->primary < 0)
        o->primary = state == KMIP_STATE_ACTIVE && !replaced;
    if (o->id_len == 0) {
        size_t n = strlen(o->label);
        o->id_len = n < TRESOR_ID_MAX ? n : TRESOR_ID_MAX;
        memcpy(o->id, o->label, o->id_len);
    }
    derive_permissions(o);
    return 1;
}

/* Every standard attribute object_from_attributes reads, by tag (KMIP 2.1 Attribute Reference). */
static const uint32_t OBJECT_ATTRIBUTES[] = {TAG_OBJECT_TYPE, TAG_CRYPTO_ALGORITHM,
                                             TAG_CRYPTO_LENGTH, TAG_USAGE_MASK, TAG_STATE,
                                             TAG_NAME, TAG_LINK, TAG_EXTRACTABLE};

/* And every custom one, by Vendor Identification and name: Tresor's own (y) are answered only
 * when named. */
static const struct {
    const char *vendor, *name;
} OBJECT_CUSTOM_ATTRIBUTES[] = {
    {"x", ATTR_PKCS11_ID}, {"y", ATTR_VERSION}, {"y", ATTR_PRIMARY}, {"y", ATTR_ATTESTED},
    {"y", ATTR_GENERATED}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void kmip_put_object_attributes(ttlv_writer *w, const char *uid)
{
    kmip_item_begin(w, KMIP_OP_GET_ATTRIBUTES);
    kmip_put_uid(w, uid);
    for (size_t a = 0; a < COUNT(OBJECT_ATTRIBUTES); a++)
        ttlv_put_enum(w, TAG_ATTRIBUTE_REFERENCE, OBJECT_ATTRIBUTES[a]);
    for (size_t a = 0; a < COUNT(OBJECT_CUSTOM_ATTRIBUTES); a++) {
        const char *vendor = OBJECT_CUSTOM_ATTRIBUTES[a].vendor;
        const char *name = OBJECT_CUSTOM_ATTRIBUTES[a].name;
        ttlv_begin(w, TAG_ATTRIBUTE_REFERENCE);
        ttlv_put_text(w, TAG_VENDOR_IDENTIFICATION, vendor, strlen(vendor));
        ttlv_put_text(w, TAG_ATTRIBUTE_NAME, name, strlen(name));
        ttlv_end(w);
    }
    kmip_item_end(w);
}

struct uid_list {
    const char *const *uids;
    size_t n;
};

static void build_get_attributes(ttlv_writer *w, void *arg)
{
    const struct uid_list *l = arg;
    for (size_t i = 0; i < l->n; i++)
        kmip_put_object_attributes(w, l->uids[i]);
}

CK_RV objects_from_response(CK_SLOT_ID slot, const char *const *uids, size_t n, int alone,
                            const struct kmip_response *resp, CK_ULONG *device_error,
                            CK_OBJECT_HANDLE *handles, size_t *answered)
{
    CK_RV rv = CKR_OK;
    time_t now = time(NULL);
    int gone = 0;
    *answered = 0;
    for (size_t i = 0; i < n; i++)
        handles[i] = CK_INVALID_HANDLE;
    for (size_t i = 0; i < n && rv == CKR_OK; i++) {
        struct kmip_result r;
        if (!kmip_result_at(resp, (int)i, &r)) {
            /* Batch Error Continuation Stop ends the batch at a refused item. */
            if (!gone)
                rv = CKR_GENERAL_ERROR;
            break;
        }
        *answered = i + 1;
        gone = 0;
        if (r.status != 0) {
            /* Only an object the server says is gone, or will not show this caller, leaves the
             * cache; after any other refusal (budget, a sealed server) the cached object keeps
             * its handle and its old fetch time, so the next call asks again. */
            int not_found = ckr_from_reason(r.reason, CKR_CTX_LOAD) == CKR_OBJECT_HANDLE_INVALID;
            if (not_found)
                objects_drop_uid(uids[i]);
            /* Such an object is left out of a larger load; any other refusal is the whole call's
             * answer. */
            gone = !alone && not_found;
            if (!gone)
                rv = ckr_from_result(&r, CKR_CTX_LOAD, device_error);
        } else {
            struct object *o = object_new();
            if (!o) {
                rv = CKR_HOST_MEMORY;
                break;
            }
            o->slot = slot;
            o->fetched = now;
            if (!r.has_payload || !object_from_attributes(o, &r.payload)) {
                /* Destroyed, or not a key this library presents: gone for PKCS#11 too. */
                object_put(o);
                objects_drop_uid(uids[i]);
                continue;
            }
            o = object_publish(o);
            if (!o) {
                rv = CKR_HOST_MEMORY;
                break;
            }
            handles[i] = o->handle;
            object_put(o);
        }
    }
    return rv;
}

CK_RV objects_load(struct slot *s, const char *const *uids, size_t n, CK_ULONG *device_error,
                   CK_OBJECT_HANDLE *handles)
{
    CK_RV rv = CKR_OK;
    /* After an object left out, the server stopped the batch: the rest are asked again. */
    for (size_t done = 0; rv == CKR_OK && done < n;) {
        struct uid_list l = {uids + done, n - done};
        struct kmip_response resp;
        size_t answered = 0;
        rv = s->exchange(s, (int)l.n, build_get_attributes, &l, 1, &resp);
        if (rv != CKR_OK)
            return rv;
        rv = objects_from_response(s->id, l.uids, l.n, n == 1, &resp, device_error, handles + done,
                                   &answered);
        kmip_response_free(&resp);
        done += answered;
    }
    return rv;
}

CK_RV objects_load_created(struct slot *s, const char *const *uids, size_t n,
                           CK_ULONG *device_error, CK_OBJECT_HANDLE *handles)
{
    struct uid_list l = {uids, n};
    struct kmip_response resp;
    size_t answered = 0;
    CK_RV rv = s->exchange(s, (int)n, build_get_attributes, &l, 1, &resp);
    if (rv != CKR_OK)
        return rv;
    /* Loaded as one: a half refused is the call's answer, not left out and asked around. */
    rv = objects_from_response(s->id, uids, n, 1, &resp, device_error, handles, &answered);
    kmip_response_free(&resp);
    for (size_t i = 0; rv == CKR_OK && i < n; i++)
        if (handles[i] == CK_INVALID_HANDLE)
            rv = CKR_OBJECT_HANDLE_INVALID;
    /* Not a code C_GenerateKey or C_GenerateKeyPair may return: the key was made, the library
     * cannot show it. */
    return rv == CKR_OBJECT_HANDLE_INVALID ? CKR_FUNCTION_FAILED : rv;
}

/* ---- public keys ---- */

struct get_request {
    const char *uid;
};

static void build_get_public(ttlv_writer *w, void *arg)
{
    const struct get_request *g = arg;
    kmip_item_begin(w, KMIP_OP_GET);
    kmip_put_uid(w, g->uid);
    ttlv_put_enum(w, TAG_KEY_FORMAT_TYPE, KMIP_FORMAT_X509);
    kmip_item_end(w);
}

static CK_RV fetch_spki(struct slot *s, const char *uid, uint8_t **spki, size_t *spki_len,
                        CK_ULONG *device_error)
{
    struct get_request g = {uid};
    struct kmip_response resp;
    CK_RV rv = s->exchange(s, 1, build_get_public, &g, 1, &resp);
    if (rv != CKR_OK)
        return rv;
    struct kmip_result r;
    ttlv_item key, block, value;
    const uint8_t *p;
    size_t n;
    if (!kmip_result_at(&resp, 0, &r))
        rv = CKR_GENERAL_ERROR;
    else if (r.status != 0)
        rv = ckr_from_result(&r, CKR_CTX_KEY, device_error);
    else if (!r.has_payload || !ttlv_find(&r.payload, TAG_PUBLIC_KEY, &key) ||
             !ttlv_find(&key, TAG_KEY_BLOCK, &block) ||
             !ttlv_find(&block, TAG_KEY_VALUE, &value) ||
             !ttlv_find_bytes(&value, TAG_KEY_MATERIAL, &p, &n) || n == 0)
        rv = CKR_GENERAL_ERROR;
    else if (!(*spki = malloc(n)))
        rv = CKR_HOST_MEMORY;
    else {
        memcpy(*spki, p, n);
        *spki_len = n;
    }
    kmip_response_free(&resp);
    return rv;
}

EVP_PKEY *object_public_key(struct slot *s, struct object *o, CK_ULONG *device_error, CK_RV *rv)
{
    *rv = CKR_OK;
    if (o->key_type != CKK_RSA && o->key_type != CKK_EC) {
        *rv = CKR_KEY_TYPE_INCONSISTENT;
        return NULL;
    }
    if (!o->spki) {
        const char *uid = o->cls == CKO_PUBLIC_KEY ? o->uid : o->pub_uid;
        uint8_t *spki = NULL;
        size_t len = 0;
        if (!uid[0]) {
            *rv = CKR_KEY_HANDLE_INVALID;
            return NULL;
        }
        *rv = fetch_spki(s, uid, &spki, &len, device_error);
        if (*rv != CKR_OK)
            return NULL;
        /* Publish a copy that carries the SPKI; the caller's reference stays valid. */
        struct object *copy = object_new();
        if (!copy) {
            free(spki);
            *rv = CKR_HOST_MEMORY;
            return NULL;
        }
        memcpy(copy, o, sizeof(*copy));
        atomic_init(&copy->refs, 1);
        copy->spki = spki;
        copy->spki_len = len;
        copy->secret = NULL;
        copy = object_publish(copy);
        if (!copy) {
            *rv = CKR_HOST_MEMORY;
            return NULL;
        }
        const unsigned char *p = copy->spki;
        EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)copy->spki_len);
        object_put(copy);
        if (!k)
            *rv = CKR_GENERAL_ERROR;
        return k;
    }
    const unsigned char *p = o->spki;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)o->spki_len);
    if (!k)
        *rv = CKR_GENERAL_ERROR;
    return k;
}

/* ---- attribute values ---- */

static void set_ulong(struct attr_buf *b, CK_ULONG v)
{
    memcpy(b->small, &v, sizeof(v));
    b->value = b->small;
    b->len = sizeof(v);
}

static void set_bool(struct attr_buf *b, int v)
{
    b->small[0] = v ? CK_TRUE : CK_FALSE;
    b->value = b->small;
    b->len = 1;
}

static void set_bytes(struct attr_buf *b, const void *p, size_t n)
{
    b->value = p;
    b->len = n;
}

static CK_RV bn_param(EVP_PKEY *k, const char *name, struct attr_buf *b)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(k, name, &bn))
        return CKR_GENERAL_ERROR;
    int n = BN_num_bytes(bn);
    b->dyn = malloc(n > 0 ? (size_t)n : 1);
    if (b->dyn)
        BN_bn2bin(bn, b->dyn);
    BN_free(bn);
    if (!b->dyn)
        return CKR_HOST_MEMORY;
    set_bytes(b, b->dyn, (size_t)n);
    return CKR_OK;
}

static CK_RV ec_params(EVP_PKEY *k, struct attr_buf *b)
{
    char group[64];
    ASN1_OBJECT *obj = NULL;
    if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
        !(obj = OBJ_nid2obj(OBJ_txt2nid(group))))
        return CKR_GENERAL_ERROR;
    unsigned char *der = NULL;
    int n = i2d_ASN1_OBJECT(obj, &der);
    ASN1_OBJECT_free(obj);
    if (n <= 0)
        return CKR_GENERAL_ERROR;
    b->dyn = malloc((size_t)n);
    if (b->dyn)
        memcpy(b->dyn, der, (size_t)n);
    OPENSSL_free(der);
    if (!b->dyn)
        return CKR_HOST_MEMORY;
    set_bytes(b, b->dyn, (size_t)n);
    return CKR_OK;
}

static CK_RV ec_point(EVP_PKEY *k, struct attr_buf *b)
{
    unsigned char point[200];
    size_t n = 0;
    if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &n))
        return CKR_GENERAL_ERROR;
    /* DER OCTET STRING; P-521's 133-byte point needs the long length form. */
    b->dyn = malloc(n + 3);
    if (!b->dyn)
        return CKR_HOST_MEMORY;
    size_t h = 0;
    b->dyn[h++] = 0x04;
    if (n > 127)
        b->dyn[h++] = 0x81;
    b->dyn[h++] = (uint8_t)n;
    memcpy(b->dyn + h, point, n);
    set_bytes(b, b->dyn, n + h);
    return CKR_OK;
}

static CK_RV public_attr(struct slot *s, struct object *o, CK_ATTRIBUTE_TYPE t, struct attr_buf *b,
                         CK_ULONG *device_error)
{
    CK_RV rv;
    EVP_PKEY *k = object_public_key(s, o, device_error, &rv);
    if (!k)
        return ckr_for_attribute_read(rv);
    switch (t) {
    case CKA_MODULUS: rv = bn_param(k, OSSL_PKEY_PARAM_RSA_N, b); break;
    case CKA_PUBLIC_EXPONENT: rv = bn_param(k, OSSL_PKEY_PARAM_RSA_E, b); break;
    case CKA_EC_PARAMS: rv = ec_params(k, b); break;
    case CKA_EC_POINT: rv = ec_point(k, b); break;
    default: {
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(k, &der);
        rv = CKR_GENERAL_ERROR;
        if (n > 0 && (b->dyn = malloc((size_t)n)) != NULL) {
            memcpy(b->dyn, der, (size_t)n);
            set_bytes(b, b->dyn, (size_t)n);
            rv = CKR_OK;
        }
        OPENSSL_free(der);
    }
    }
    EVP_PKEY_free(k);
    return rv;
}

static CK_MECHANISM_TYPE keygen_mechanism(const struct object *o)
{
    if (!o->local)
        return CK_UNAVAILABLE_INFORMATION;
    switch (o->key_type) {
    case CKK_AES: return CKM_AES_KEY_GEN;
    case CKK_RSA: return CKM_RSA_PKCS_KEY_PAIR_GEN;
    case CKK_EC: return CKM_EC_KEY_PAIR_GEN;
    default: return CKM_GENERIC_SECRET_KEY_GEN;
    }
}

CK_RV object_attribute(struct slot *s, struct object *o, CK_ATTRIBUTE_TYPE t, struct attr_buf *b,
                        CK_ULONG *device_error)
{
    int secret = o->cls == CKO_SECRET_KEY, priv = o->cls == CKO_PRIVATE_KEY;
    int asym = o->key_type == CKK_RSA || o->key_type == CKK_EC;
    int token = o->owner == 0;
    switch (t) {
    case CKA_CLASS: set_ulong(b, o->cls); return CKR_OK;
    case CKA_KEY_TYPE: set_ulong(b, o->key_type); return CKR_OK;
    case CKA_TOKEN: set_bool(b, token); return CKR_OK;
    case CKA_PRIVATE: set_bool(b, 0); return CKR_OK;
    case CKA_MODIFIABLE: case CKA_COPYABLE: set_bool(b, !token); return CKR_OK;
    case CKA_DESTROYABLE: set_bool(b, o->cls != CKO_PUBLIC_KEY); return CKR_OK;
    case CKA_LABEL: set_bytes(b, o->label, strlen(o->label)); return CKR_OK;
    case CKA_ID: set_bytes(b, o->id, o->id_len); return CKR_OK;
    case CKA_UNIQUE_ID:
        if (!token)
            return CKR_ATTRIBUTE_TYPE_INVALID;
        set_bytes(b, o->uid, strlen(o->uid));
        return CKR_OK;
    case CKA_LOCAL: set_bool(b, o->local); return CKR_OK;
    case CKA_KEY_GEN_MECHANISM: set_ulong(b, keygen_mechanism(o)); return CKR_OK;
    case CKA_DERIVE: set_bool(b, 0); return CKR_OK;
    case CKA_ENCRYPT: set_bool(b, o->can_encrypt); return CKR_OK;
    case CKA_DECRYPT: set_bool(b, o->can_decrypt); return CKR_OK;
    case CKA_WRAP: set_bool(b, o->can_wrap); return CKR_OK;
    case CKA_UNWRAP: set_bool(b, o->can_unwrap); return CKR_OK;
    case CKA_SIGN: set_bool(b, o->can_sign); return CKR_OK;
    case CKA_VERIFY: set_bool(b, o->can_verify); return CKR_OK;
    case CKA_SIGN_RECOVER: case CKA_VERIFY_RECOVER: set_bool(b, 0); return CKR_OK;
    case CKA_TRESOR_VERSION:
        if (!token)
            return CKR_ATTRIBUTE_TYPE_INVALID;
        set_ulong(b, (CK_ULONG)o->version);
        return CKR_OK;
    case CKA_TRESOR_PRIMARY: set_bool(b, token && o->primary); return CKR_OK;
    case CKA_TRESOR_ATTESTED: set_bool(b, o->attested); return CKR_OK;
    default: break;
    }
    if (o->cls != CKO_PUBLIC_KEY) {
        switch (t) {
        case CKA_SENSITIVE: set_bool(b, o->sensitive); return CKR_OK;
        case CKA_EXTRACTABLE: set_bool(b, o->extractable); return CKR_OK;
        case CKA_ALWAYS_SENSITIVE: set_bool(b, o->always_sensitive); return CKR_OK;
        case CKA_NEVER_EXTRACTABLE: set_bool(b, o->never_extractable); return CKR_OK;
        case CKA_ALWAYS_AUTHENTICATE: set_bool(b, 0); return CKR_OK;
        default: break;
        }
    }
    if (secret && t == CKA_VALUE_LEN) {
        set_ulong(b, token ? o->bits / 8 : o->secret_len);
        return CKR_OK;
    }
    if (secret && t == CKA_VALUE) {
        if (token || o->sensitive || !o->extractable)
            return CKR_ATTRIBUTE_SENSITIVE;
        set_bytes(b, o->secret, o->secret_len);
        return CKR_OK;
    }
    if (priv && (t == CKA_PRIVATE_EXPONENT || t == CKA_PRIME_1 || t == CKA_PRIME_2 ||
                 t == CKA_EXPONENT_1 || t == CKA_EXPONENT_2 || t == CKA_COEFFICIENT ||
                 (t == CKA_VALUE && o->key_type == CKK_EC)))
        return CKR_ATTRIBUTE_SENSITIVE;
    if (o->key_type == CKK_RSA && t == CKA_MODULUS_BITS) {
        set_ulong(b, o->bits);
        return CKR_OK;
    }
    if (asym && (t == CKA_PUBLIC_KEY_INFO ||
                 (o->key_type == CKK_RSA && (t == CKA_MODULUS || t == CKA_PUBLIC_EXPONENT)) ||
                 (o->key_type == CKK_EC && (t == CKA_EC_PARAMS ||
                                            (t == CKA_EC_POINT && o->cls == CKO_PUBLIC_KEY)))))
        return public_attr(s, o, t, b, device_error);
    return CKR_ATTRIBUTE_TYPE_INVALID;
}

/* A token object's cached attributes expire; a refresh keeps the handle. */
static struct object *fresh(struct slot *s, struct object *o, CK_ULONG *device_error, CK_RV *rv)
{
    *rv = CKR_OK;
    if (o->owner || time(NULL) - o->fetched < ATTRIBUTE_TTL_SECONDS)
        return o;
    const char *uid = o->uid;
    CK_OBJECT_HANDLE h;
    *rv = objects_load(s, &uid, 1, device_error, &h);
    struct object *n = *rv == CKR_OK && h ? object_get(h) : NULL;
    object_put(o);
    if (!n && *rv == CKR_OK)
        *rv = CKR_OBJECT_HANDLE_INVALID;
    return n;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG device_error = 0;
    struct object *o = NULL;
    if (!pTemplate && ulCount)
        rv = CKR_ARGUMENTS_BAD;
    else if (!(o = object_for_session(hObject, s->slot)))
        rv = CKR_OBJECT_HANDLE_INVALID;
    else
        o = fresh(lib_slot(s->slot), o, &device_error, &rv);
    /* Every attribute is answered; sensitive, unknown or too-short ones are reported in the
     * return value, a failure to reach the server stops the call. */
    CK_RV soft = CKR_OK;
    for (CK_ULONG i = 0; rv == CKR_OK && i < ulCount; i++) {
        struct attr_buf b = {0};
        CK_RV r = object_attribute(lib_slot(s->slot), o, pTemplate[i].type, &b, &device_error);
        if (r == CKR_OK && pTemplate[i].pValue && pTemplate[i].ulValueLen < b.len)
            r = CKR_BUFFER_TOO_SMALL;
        if (r == CKR_OK) {
            if (pTemplate[i].pValue)
                memcpy(pTemplate[i].pValue, b.value, b.len);
            pTemplate[i].ulValueLen = b.len;
        } else if (r == CKR_ATTRIBUTE_SENSITIVE || r == CKR_ATTRIBUTE_TYPE_INVALID ||
                   r == CKR_BUFFER_TOO_SMALL) {
            pTemplate[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            if (soft == CKR_OK)
                soft = r;
        } else {
            rv = r;
        }
        free(b.dyn);
    }
    if (rv == CKR_OK)
        rv = soft;
    session_set_device_error(s, device_error);
    object_put(o);
    session_leave(s);
    return rv;
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
    (void)hObject;
    (void)pTemplate;
    (void)ulCount;
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    session_leave(s);
    return CKR_ACTION_PROHIBITED;
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                   CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
    (void)phNewObject;
    return C_SetAttributeValue(hSession, hObject, pTemplate, ulCount);
}

