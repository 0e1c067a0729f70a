/* C_GenerateKey, C_GenerateKeyPair (KMIP Create / Create Key Pair) and C_GenerateRandom. */
#include "tresor.h"

#include <openssl/objects.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define RNG_CHUNK 4096
#define RNG_CHUNKS_PER_MESSAGE 16
#define GENERIC_SECRET_MAX 64

struct create_request {
    uint32_t object_type;
    uint32_t alg;
    int32_t bits;
    uint32_t curve; /* EC key pairs */
    uint32_t usage, public_usage;
    const CK_ATTRIBUTE *label;
    const CK_ATTRIBUTE *id;
};

/* KMIP creates objects Pre-Active unless the Activation Date has come; a PKCS#11 key is usable
 * at once. A minute in the past absorbs clock skew between client and server. */
static void put_activation(ttlv_writer *w)
{
    ttlv_put_datetime(w, TAG_ACTIVATION_DATE, (int64_t)time(NULL) - 60);
}

static void put_identity(ttlv_writer *w, const struct create_request *c)
{
    if (c->label && c->label->ulValueLen)
        kmip_put_name(w, c->label->pValue, c->label->ulValueLen);
    if (c->id && c->id->ulValueLen)
        kmip_put_client_attribute(w, ATTR_PKCS11_ID, c->id->pValue, c->id->ulValueLen);
}

/* Create (or Create Key Pair), alone: the new objects are loaded in the next message. */
static void build_create(ttlv_writer *w, void *arg)
{
    const struct create_request *c = arg;
    if (c->object_type == KMIP_OBJ_SYMMETRIC) {
        kmip_item_begin(w, KMIP_OP_CREATE);
        ttlv_put_enum(w, TAG_OBJECT_TYPE, KMIP_OBJ_SYMMETRIC);
        ttlv_begin(w, TAG_ATTRIBUTES);
        ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, c->alg);
        ttlv_put_int(w, TAG_CRYPTO_LENGTH, c->bits);
        ttlv_put_int(w, TAG_USAGE_MASK, (int32_t)c->usage);
        put_activation(w);
        put_identity(w, c);
        ttlv_end(w);
        kmip_item_end(w);
    } else {
        kmip_item_begin(w, KMIP_OP_CREATE_KEY_PAIR);
        ttlv_begin(w, TAG_COMMON_ATTRIBUTES);
        ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, c->alg);
        if (c->curve) {
            ttlv_begin(w, 0x420029 /* Cryptographic Domain Parameters */);
            ttlv_put_enum(w, TAG_RECOMMENDED_CURVE, c->curve);
            ttlv_end(w);
        }
        ttlv_put_int(w, TAG_CRYPTO_LENGTH, c->bits);
        put_activation(w);
        ttlv_end(w);
        ttlv_begin(w, TAG_PRIVATE_KEY_ATTRIBUTES);
        ttlv_put_int(w, TAG_USAGE_MASK, (int32_t)c->usage);
        put_identity(w, c);
        ttlv_end(w);
        ttlv_begin(w, TAG_PUBLIC_KEY_ATTRIBUTES);
        ttlv_put_int(w, TAG_USAGE_MASK, (int32_t)c->public_usage);
        put_identity(w, c);
        ttlv_end(w);
        kmip_item_end(w);
    }
}

/* Runs the create request and loads what it made in one message: the secret key into *out, or
 * the private key into *out and the public key into *public_out. */
static CK_RV run_create(struct session *s, const struct create_request *c, CK_OBJECT_HANDLE *out,
                        CK_OBJECT_HANDLE *public_out)
{
    struct slot *sl = lib_slot(s->slot);
    struct kmip_response resp;
    CK_RV rv = sl->exchange(sl, 1, build_create, (void *)c, 0, &resp);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG device_error = 0;
    struct kmip_result created;
    char uids[2][TRESOR_UID_MAX + 1] = {{0}};
    static const uint32_t pair_tags[2] = {TAG_PRIVATE_KEY_UID, TAG_PUBLIC_KEY_UID};
    size_t n = public_out ? 2 : 1;
    if (!kmip_result_at(&resp, 0, &created)) {
        rv = CKR_GENERAL_ERROR;
    } else if (created.status != 0) {
        rv = ckr_from_result(&created, CKR_CTX_GENERATE, &device_error);
    } else {
        for (size_t i = 0; rv == CKR_OK && i < n; i++) {
            const uint8_t *uid;
            size_t uid_len;
            if (!created.has_payload ||
                !ttlv_find_bytes(&created.payload, public_out ? pair_tags[i] : TAG_UNIQUE_IDENTIFIER,
                                 &uid, &uid_len) ||
                uid_len == 0 || uid_len > TRESOR_UID_MAX)
                rv = CKR_GENERAL_ERROR;
            else
                memcpy(uids[i], uid, uid_len);
        }
    }
    kmip_response_free(&resp);
    if (rv == CKR_OK) {
        const char *names[2] = {uids[0], uids[1]};
        CK_OBJECT_HANDLE handles[2] = {CK_INVALID_HANDLE, CK_INVALID_HANDLE};
        rv = objects_load_created(sl, names, n, &device_error, handles);
        if (rv == CKR_OK) {
            *out = handles[0];
            if (public_out)
                *public_out = handles[1];
        }
    }
    session_set_device_error(s, device_error);
    return rv;
}

static int text_attribute_ok(const CK_ATTRIBUTE *a, size_t max)
{
    return !a || (a->ulValueLen <= max && (a->pValue || a->ulValueLen == 0));
}

static CK_RV generate_session_key(struct session *s, CK_MECHANISM_TYPE m, const CK_ATTRIBUTE *t,
                                  CK_ULONG n, CK_ULONG len, CK_OBJECT_HANDLE *out)
{
    size_t mapped = 0;
    uint8_t *value = secure_alloc(len, &mapped);
    if (!value)
        return CKR_HOST_MEMORY;
    CK_RV rv = RAND_priv_bytes(value, (int)len) == 1 ? CKR_OK : CKR_FUNCTION_FAILED;
    if (rv == CKR_OK)
        rv = object_new_session_secret(s->slot, s->handle,
                                       m == CKM_AES_KEY_GEN ? CKK_AES : CKK_GENERIC_SECRET, value,
                                       len, t, n, 0, out);
    secure_free(value, mapped);
    return rv;
}

CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG len = 0;
    int token = 0, extractable = 0, enc, dec, wrap, unwrap;
    if (!pMechanism || !phKey || (!pTemplate && ulCount))
        rv = CKR_ARGUMENTS_BAD;
    else if (pMechanism->mechanism != CKM_AES_KEY_GEN &&
             pMechanism->mechanism != CKM_GENERIC_SECRET_KEY_GEN)
        rv = CKR_MECHANISM_INVALID;
    else if (pMechanism->pParameter || pMechanism->ulParameterLen)
        rv = CKR_MECHANISM_PARAM_INVALID;
    else if (!template_ulong(pTemplate, ulCount, CKA_VALUE_LEN, &len))
        rv = CKR_TEMPLATE_INCOMPLETE;
    else if (!template_bool(pTemplate, ulCount, CKA_TOKEN, 0, &token) ||
             !template_bool(pTemplate, ulCount, CKA_EXTRACTABLE, !token, &extractable) ||
             !template_bool(pTemplate, ulCount, CKA_ENCRYPT, 1, &enc) ||
             !template_bool(pTemplate, ulCount, CKA_DECRYPT, 1, &dec) ||
             !template_bool(pTemplate, ulCount, CKA_WRAP, 1, &wrap) ||
             !template_bool(pTemplate, ulCount, CKA_UNWRAP, 1, &unwrap) ||
             !text_attribute_ok(template_find(pTemplate, ulCount, CKA_LABEL), TRESOR_LABEL_MAX) ||
             !text_attribute_ok(template_find(pTemplate, ulCount, CKA_ID), TRESOR_ID_MAX))
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    else if (pMechanism->mechanism == CKM_AES_KEY_GEN && len != 16 && len != 24 && len != 32)
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    else if (len == 0 || len > GENERIC_SECRET_MAX)
        rv = CKR_ATTRIBUTE_VALUE_INVALID;
    else if (token && (pMechanism->mechanism != CKM_AES_KEY_GEN || extractable))
        rv = token && extractable ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_TEMPLATE_INCONSISTENT;
    if (rv == CKR_OK && !token) {
        rv = generate_session_key(s, pMechanism->mechanism, pTemplate, ulCount, len, phKey);
    } else if (rv == CKR_OK) {
        struct create_request c = {
            .object_type = KMIP_OBJ_SYMMETRIC, .alg = KMIP_ALG_AES, .bits = (int32_t)len * 8,
            .usage = (enc ? KMIP_USAGE_ENCRYPT : 0) | (dec ? KMIP_USAGE_DECRYPT : 0) |
                     (wrap ? KMIP_USAGE_WRAP : 0) | (unwrap ? KMIP_USAGE_UNWRAP : 0),
            .label = template_find(pTemplate, ulCount, CKA_LABEL),
            .id = template_find(pTemplate, ulCount, CKA_ID)};
        rv = run_create(s, &c, phKey, NULL);
    }
    session_leave(s);
    return rv;
}

/* P-256, P-384 and P-521 by their DER OIDs → KMIP Recommended Curve and size. */
static int curve_from_params(const CK_ATTRIBUTE *a, uint32_t *curve, int32_t *bits)
{
    if (!a || !a->pValue || a->ulValueLen == 0 || a->ulValueLen > 64)
        return 0;
    const unsigned char *p = a->pValue;
    ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)a->ulValueLen);
    int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
    ASN1_OBJECT_free(obj);
    switch (nid) {
    case NID_X9_62_prime256v1: *curve = 0x07, *bits = 256; return 1;
    case NID_secp384r1: *curve = 0x0A, *bits = 384; return 1;
    case NID_secp521r1: *curve = 0x0D, *bits = 521; return 1;
    default: return 0;
    }
}

static CK_RV key_pair_request(const CK_MECHANISM *m, const CK_ATTRIBUTE *pub, CK_ULONG npub,
                              const CK_ATTRIBUTE *priv, CK_ULONG npriv, int reject_dual_use,
                              struct create_request *c)
{
    int pub_token, priv_token, sign, decrypt, unwrap, extractable;
    CK_ULONG bits = 0;
    /* Without SIGN in the template a key asked to decrypt is a decryption key. */
    if (!template_bool(pub, npub, CKA_TOKEN, 1, &pub_token) ||
        !template_bool(priv, npriv, CKA_TOKEN, 1, &priv_token) ||
        !template_bool(priv, npriv, CKA_DECRYPT, 0, &decrypt) ||
        !template_bool(priv, npriv, CKA_UNWRAP, 0, &unwrap) ||
        !template_bool(priv, npriv, CKA_SIGN, !decrypt && !unwrap, &sign) ||
        !template_bool(priv, npriv, CKA_EXTRACTABLE, 0, &extractable) ||
        !text_attribute_ok(template_find(priv, npriv, CKA_LABEL), TRESOR_LABEL_MAX) ||
        !text_attribute_ok(template_find(priv, npriv, CKA_ID), TRESOR_ID_MAX))
        return CKR_ATTRIBUTE_VALUE_INVALID;
    if (!pub_token || !priv_token)
        return CKR_TEMPLATE_INCONSISTENT; /* key pairs exist only in Tresor */
    if (extractable)
        return CKR_ATTRIBUTE_VALUE_INVALID;
    int wants_decrypt = decrypt || unwrap;
    if (sign && wants_decrypt) {
        if (reject_dual_use)
            return CKR_TEMPLATE_INCONSISTENT;
        wants_decrypt = 0;
    }
    memset(c, 0, sizeof(*c));
    c->object_type = KMIP_OBJ_PRIVATE;
    c->label = template_find(priv, npriv, CKA_LABEL);
    c->id = template_find(priv, npriv, CKA_ID);
    if (m->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN) {
        const CK_ATTRIBUTE *e = template_find(pub, npub, CKA_PUBLIC_EXPONENT);
        static const uint8_t F4[] = {0x01, 0x00, 0x01};
        if (!template_ulong(pub, npub, CKA_MODULUS_BITS, &bits))
            return CKR_TEMPLATE_INCOMPLETE;
        if (bits != 2048 && bits != 3072 && bits != 4096)
            return CKR_ATTRIBUTE_VALUE_INVALID;
        if (e) {
            const uint8_t *v = e->pValue;
            size_t n = e->ulValueLen;
            while (v && n > 0 && *v == 0)
                v++, n--;
            if (!v || n != sizeof(F4) || memcmp(v, F4, sizeof(F4)))
                return CKR_ATTRIBUTE_VALUE_INVALID;
        }
        c->alg = KMIP_ALG_RSA;
        c->bits = (int32_t)bits;
        c->usage = wants_decrypt ? KMIP_USAGE_DECRYPT | KMIP_USAGE_UNWRAP : KMIP_USAGE_SIGN;
        c->public_usage = wants_decrypt ? KMIP_USAGE_ENCRYPT | KMIP_USAGE_WRAP : KMIP_USAGE_VERIFY;
        return CKR_OK;
    }
    if (m->mechanism == CKM_EC_KEY_PAIR_GEN) {
        const CK_ATTRIBUTE *params = template_find(pub, npub, CKA_EC_PARAMS);
        if (!params)
            return CKR_TEMPLATE_INCOMPLETE;
        if (!curve_from_params(params, &c->curve, &c->bits))
            return CKR_CURVE_NOT_SUPPORTED;
        if (wants_decrypt)
            return CKR_TEMPLATE_INCONSISTENT;
        c->alg = KMIP_ALG_EC;
        c->usage = KMIP_USAGE_SIGN;
        c->public_usage = KMIP_USAGE_VERIFY;
        return CKR_OK;
    }
    return CKR_MECHANISM_INVALID;
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                        CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                        CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                        CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    struct create_request c;
    if (!pMechanism || !phPublicKey || !phPrivateKey ||
        (!pPublicKeyTemplate && ulPublicKeyAttributeCount) ||
        (!pPrivateKeyTemplate && ulPrivateKeyAttributeCount))
        rv = CKR_ARGUMENTS_BAD;
    else if (pMechanism->pParameter || pMechanism->ulParameterLen)
        rv = CKR_MECHANISM_PARAM_INVALID;
    else
        rv = key_pair_request(pMechanism, pPublicKeyTemplate, ulPublicKeyAttributeCount,
                              pPrivateKeyTemplate, ulPrivateKeyAttributeCount,
                              lib_slot(s->slot)->conf->dual_use_reject, &c);
    if (rv == CKR_OK)
        rv = run_create(s, &c, phPrivateKey, phPublicKey);
    session_leave(s);
    return rv;
}

struct rng_request {
    size_t chunks;
    size_t last;
};

static void build_rng(ttlv_writer *w, void *arg)
{
    const struct rng_request *r = arg;
    for (size_t i = 0; i < r->chunks; i++) {
        kmip_item_begin(w, KMIP_OP_RNG_RETRIEVE);
        ttlv_put_int(w, TAG_DATA_LENGTH, (int32_t)(i + 1 == r->chunks ? r->last : RNG_CHUNK));
        kmip_item_end(w);
    }
}

static CK_RV fetch_random(struct session *s, uint8_t *out, size_t n)
{
    struct rng_request r = {(n + RNG_CHUNK - 1) / RNG_CHUNK, n - (n - 1) / RNG_CHUNK * RNG_CHUNK};
    struct kmip_response resp;
    struct slot *sl = lib_slot(s->slot);
    CK_RV rv = sl->exchange(sl, (int)r.chunks, build_rng, &r, 1, &resp);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG device_error = 0;
    for (size_t i = 0; rv == CKR_OK && i < r.chunks; i++) {
        struct kmip_result res;
        const uint8_t *p;
        size_t len, want = i + 1 == r.chunks ? r.last : RNG_CHUNK;
        if (!kmip_result_at(&resp, (int)i, &res))
            rv = CKR_GENERAL_ERROR;
        else if (res.status != 0)
            rv = ckr_from_result(&res, CKR_CTX_RANDOM, &device_error);
        else if (!res.has_payload || !ttlv_find_bytes(&res.payload, TAG_DATA, &p, &len) ||
                 len != want)
            rv = CKR_GENERAL_ERROR;
        else
            memcpy(out + i * RNG_CHUNK, p, len);
    }
    kmip_response_free(&resp);
    session_set_device_error(s, device_error);
    return rv;
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    if (!RandomData && ulRandomLen)
        rv = CKR_ARGUMENTS_BAD;
    const size_t per_message = (size_t)RNG_CHUNK * RNG_CHUNKS_PER_MESSAGE;
    for (size_t done = 0; rv == CKR_OK && done < ulRandomLen; done += per_message) {
        size_t n = ulRandomLen - done < per_message ? ulRandomLen - done : per_message;
        rv = fetch_random(s, RandomData + done, n);
    }
    session_leave(s);
    return rv;
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
    (void)pSeed;
    (void)ulSeedLen;
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    session_leave(s);
    return CKR_RANDOM_SEED_NOT_SUPPORTED;
}
