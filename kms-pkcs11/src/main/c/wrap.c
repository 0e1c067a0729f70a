/* C_WrapKey and C_UnwrapKey: session keys under a Tresor AES key (KW/KWP) or RSA-OAEP. */
#include "tresor.h"

#include <stdlib.h>
#include <string.h>

#define UNWRAPPED_MAX 512

static uint32_t kmip_wrap_mode(CK_MECHANISM_TYPE m)
{
    return m == CKM_AES_KEY_WRAP ? KMIP_MODE_NIST_KEY_WRAP : KMIP_MODE_KEY_WRAP_PAD;
}

static int is_aes_wrap(CK_MECHANISM_TYPE m)
{
    return m == CKM_AES_KEY_WRAP || m == CKM_AES_KEY_WRAP_PAD || m == CKM_AES_KEY_WRAP_KWP;
}

/* Checks the mechanism against the (un)wrapping key and parses its parameters. */
static CK_RV check_wrapping_key(const CK_MECHANISM *m, const struct object *k, int wrap,
                                struct operation *op)
{
    if (k->owner)
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (!(wrap ? k->can_wrap : k->can_unwrap))
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (is_aes_wrap(m->mechanism))
        return k->key_type != CKK_AES
                   ? (wrap ? CKR_WRAPPING_KEY_TYPE_INCONSISTENT
                           : CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)
                   : mech_parse_wrap_iv(m);
    if (m->mechanism == CKM_RSA_PKCS_OAEP)
        return k->key_type != CKK_RSA || k->cls != (wrap ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY)
                   ? (wrap ? CKR_WRAPPING_KEY_TYPE_INCONSISTENT
                           : CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT)
                   : mech_parse_oaep(m, op);
    return CKR_MECHANISM_INVALID;
}

static size_t wrapped_bound(CK_MECHANISM_TYPE m, const struct object *kek, size_t n)
{
    if (m == CKM_RSA_PKCS_OAEP)
        return (kek->bits + 7) / 8;
    return m == CKM_AES_KEY_WRAP ? n + 8 : (n + 7) / 8 * 8 + 8;
}

/* Runs the KMIP call and returns a copy of the Data it answers with. */
static CK_RV remote_data(struct session *s, const struct crypto_call *c, enum ckr_context ctx,
                         uint8_t **out, size_t *out_len)
{
    CK_ULONG device_error = 0;
    struct kmip_response resp;
    ttlv_item payload;
    CK_RV rv = crypto_call_run(lib_slot(s->slot), c, ctx, &device_error, &resp, &payload);
    session_set_device_error(s, device_error);
    if (rv != CKR_OK)
        return rv;
    const uint8_t *data;
    size_t len;
    if (!ttlv_find_bytes(&payload, TAG_DATA, &data, &len))
        rv = CKR_GENERAL_ERROR;
    else if (!(*out = malloc(len ? len : 1)))
        rv = CKR_HOST_MEMORY;
    else {
        memcpy(*out, data, len);
        *out_len = len;
    }
    kmip_response_free(&resp);
    return rv;
}

/* AES key wrap runs on the server as Encrypt/Decrypt in a key-wrap mode. */
static CK_RV aes_wrap_remote(struct session *s, const struct object *kek, CK_MECHANISM_TYPE m,
                             const uint8_t *in, size_t n, int wrap, uint8_t **out, size_t *out_len)
{
    struct crypto_call c = {.operation = wrap ? KMIP_OP_ENCRYPT : KMIP_OP_DECRYPT,
                            .uid = kek->uid, .data_tag = TAG_DATA, .data = in, .data_len = n};
    c.cp = (struct crypto_params){.mode = kmip_wrap_mode(m), .alg = KMIP_ALG_AES, .salt_len = -1};
    return remote_data(s, &c, wrap ? CKR_CTX_WRAP : CKR_CTX_UNWRAP, out, out_len);
}

static CK_RV rsa_unwrap_remote(struct session *s, const struct object *kek,
                               const struct operation *op, const uint8_t *in, size_t n,
                               uint8_t **out, size_t *out_len)
{
    struct crypto_call c = {.operation = KMIP_OP_DECRYPT, .uid = kek->uid, .data_tag = TAG_DATA,
                            .data = in, .data_len = n};
    c.cp = (struct crypto_params){.padding = KMIP_PAD_OAEP, .alg = KMIP_ALG_RSA,
                                  .hash = kmip_hash_for_md(op->md),
                                  .mgf_hash = kmip_hash_for_md(op->mgf_md), .salt_len = -1,
                                  .p_source = op->label, .p_source_len = op->label_len};
    return remote_data(s, &c, CKR_CTX_UNWRAP, out, out_len);
}

/* Answers from the cached result of the same wrap; returns 0 when there is none. */
static int cached_wrap(struct session *s, CK_MECHANISM_TYPE m, CK_OBJECT_HANDLE kek,
                       CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len, CK_RV *rv)
{
    pthread_mutex_lock(&s->mu);
    int hit = s->wrapped && s->wrapped_mech == m && s->wrapped_kek == kek && s->wrapped_key == key;
    if (hit) {
        CK_ULONG available = *out_len;
        *out_len = s->wrapped_len;
        *rv = out && available < s->wrapped_len ? CKR_BUFFER_TOO_SMALL : CKR_OK;
        if (out && *rv == CKR_OK)
            memcpy(out, s->wrapped, s->wrapped_len);
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}

static void cache_wrap(struct session *s, CK_MECHANISM_TYPE m, CK_OBJECT_HANDLE kek,
                       CK_OBJECT_HANDLE key, uint8_t *wrapped, size_t len)
{
    pthread_mutex_lock(&s->mu);
    tresor_free_wiped(s->wrapped, s->wrapped_len);
    s->wrapped = wrapped;
    s->wrapped_len = len;
    s->wrapped_mech = m;
    s->wrapped_kek = kek;
    s->wrapped_key = key;
    pthread_mutex_unlock(&s->mu);
}

CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey,
                CK_ULONG_PTR pulWrappedKeyLen)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    struct operation params = {0};
    struct object *kek = NULL, *key = NULL;
    if (!pMechanism || !pulWrappedKeyLen)
        rv = CKR_ARGUMENTS_BAD;
    else if (!(kek = object_for_session(hWrappingKey, s->slot)))
        rv = CKR_WRAPPING_KEY_HANDLE_INVALID;
    else if (!(key = object_for_session(hKey, s->slot)))
        rv = CKR_KEY_HANDLE_INVALID;
    else if (!key->owner || !key->extractable || !key->secret)
        rv = CKR_KEY_UNEXTRACTABLE; /* token keys never leave Tresor through this path */
    else
        rv = check_wrapping_key(pMechanism, kek, 1, &params);
    if (rv == CKR_OK && pMechanism->mechanism == CKM_AES_KEY_WRAP &&
        (key->secret_len % 8 || key->secret_len < 16))
        rv = CKR_KEY_SIZE_RANGE;
    int answered = rv != CKR_OK || cached_wrap(s, pMechanism->mechanism, hWrappingKey, hKey,
                                               pWrappedKey, pulWrappedKeyLen, &rv);
    if (!answered && !pWrappedKey) {
        *pulWrappedKeyLen = wrapped_bound(pMechanism->mechanism, kek, key->secret_len);
    } else if (!answered) {
        uint8_t *out = NULL;
        size_t out_len = 0;
        CK_ULONG device_error = 0;
        if (pMechanism->mechanism == CKM_RSA_PKCS_OAEP) {
            rv = rsa_oaep_encrypt_local(lib_slot(s->slot), kek, &params, key->secret,
                                        key->secret_len, &out, &out_len, &device_error);
            session_set_device_error(s, device_error);
        } else {
            rv = aes_wrap_remote(s, kek, pMechanism->mechanism, key->secret, key->secret_len, 1,
                                 &out, &out_len);
        }
        if (rv == CKR_OK) {
            CK_ULONG available = *pulWrappedKeyLen;
            *pulWrappedKeyLen = out_len;
            if (available < out_len)
                rv = CKR_BUFFER_TOO_SMALL;
            else
                memcpy(pWrappedKey, out, out_len);
            cache_wrap(s, pMechanism->mechanism, hWrappingKey, hKey, out, out_len);
        }
    }
    operation_reset(&params);
    object_put(kek);
    object_put(key);
    session_leave(s);
    return rv;
}

/* The template of an unwrapped key: a session secret key of a known length. */
static CK_RV check_unwrap_template(const CK_ATTRIBUTE *t, CK_ULONG n, CK_KEY_TYPE *kt,
                                   CK_ULONG *value_len)
{
    CK_ULONG cls = CKO_SECRET_KEY;
    int token;
    *value_len = 0;
    if ((template_find(t, n, CKA_CLASS) && !template_ulong(t, n, CKA_CLASS, &cls)) ||
        cls != CKO_SECRET_KEY)
        return CKR_TEMPLATE_INCONSISTENT;
    if (!template_ulong(t, n, CKA_KEY_TYPE, kt))
        return CKR_TEMPLATE_INCOMPLETE;
    if (*kt != CKK_AES && *kt != CKK_GENERIC_SECRET)
        return CKR_TEMPLATE_INCONSISTENT;
    if (!template_bool(t, n, CKA_TOKEN, 0, &token))
        return CKR_ATTRIBUTE_VALUE_INVALID;
    if (token)
        return CKR_TEMPLATE_INCONSISTENT; /* import into Tresor (BYOK) is not offered here */
    if (template_find(t, n, CKA_VALUE_LEN) && !template_ulong(t, n, CKA_VALUE_LEN, value_len))
        return CKR_ATTRIBUTE_VALUE_INVALID;
    return CKR_OK;
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                  CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
                  CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount,
                  CK_OBJECT_HANDLE_PTR phKey)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    struct operation params = {0};
    struct object *kek = NULL;
    CK_KEY_TYPE kt = 0;
    CK_ULONG value_len = 0;
    if (!pMechanism || !phKey || (!pWrappedKey && ulWrappedKeyLen) ||
        (!pTemplate && ulAttributeCount))
        rv = CKR_ARGUMENTS_BAD;
    else if (ulWrappedKeyLen == 0 || ulWrappedKeyLen > UNWRAPPED_MAX + 16)
        rv = CKR_WRAPPED_KEY_LEN_RANGE;
    else if ((rv = check_unwrap_template(pTemplate, ulAttributeCount, &kt, &value_len)) != CKR_OK)
        ;
    else if (!(kek = object_for_session(hUnwrappingKey, s->slot)))
        rv = CKR_UNWRAPPING_KEY_HANDLE_INVALID;
    else
        rv = check_wrapping_key(pMechanism, kek, 0, &params);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    if (rv == CKR_OK)
        rv = pMechanism->mechanism == CKM_RSA_PKCS_OAEP
                 ? rsa_unwrap_remote(s, kek, &params, pWrappedKey, ulWrappedKeyLen, &plain,
                                     &plain_len)
                 : aes_wrap_remote(s, kek, pMechanism->mechanism, pWrappedKey, ulWrappedKeyLen, 0,
                                   &plain, &plain_len);
    if (rv == CKR_OK && ((value_len && plain_len != value_len) || plain_len == 0 ||
                         plain_len > UNWRAPPED_MAX ||
                         (kt == CKK_AES && plain_len != 16 && plain_len != 24 && plain_len != 32)))
        rv = CKR_WRAPPED_KEY_INVALID;
    if (rv == CKR_OK)
        rv = object_new_session_secret(s->slot, s->handle, kt, plain, plain_len, pTemplate,
                                       ulAttributeCount, 1, phKey);
    tresor_free_wiped(plain, plain_len);
    operation_reset(&params);
    object_put(kek);
    session_leave(s);
    return rv;
}
