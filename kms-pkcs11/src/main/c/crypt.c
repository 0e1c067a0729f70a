/* C_Encrypt* and C_Decrypt*: AES-GCM, the Tresor ciphertext format and RSA-OAEP. */
#include "tresor.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

/* The Tresor ciphertext (docs/ciphertext-format.md): format 0x01 ‖ key version (32-bit
 * big-endian) ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag; the GCM associated data is the 5-byte
 * header followed by the caller's. */
#define TRESOR_FORMAT_AES256_GCM 0x01
#define TRESOR_HEADER 5
#define TRESOR_NONCE 12
#define TRESOR_TAG 16
#define TRESOR_FORMAT_OVERHEAD (TRESOR_HEADER + TRESOR_NONCE + TRESOR_TAG)

void session_set_device_error(struct session *s, CK_ULONG device_error)
{
    if (!device_error)
        return;
    pthread_mutex_lock(&s->mu);
    s->device_error = device_error;
    pthread_mutex_unlock(&s->mu);
}

static void put_crypto_params(ttlv_writer *w, const struct crypto_params *cp)
{
    ttlv_begin(w, TAG_CRYPTO_PARAMETERS);
    if (cp->mode)
        ttlv_put_enum(w, TAG_BLOCK_CIPHER_MODE, cp->mode);
    if (cp->padding)
        ttlv_put_enum(w, TAG_PADDING_METHOD, cp->padding);
    if (cp->hash)
        ttlv_put_enum(w, TAG_HASHING_ALGORITHM, cp->hash);
    if (cp->alg)
        ttlv_put_enum(w, TAG_CRYPTO_ALGORITHM, cp->alg);
    if (cp->random_iv) {
        ttlv_put_bool(w, TAG_RANDOM_IV, 1);
        ttlv_put_int(w, TAG_IV_LENGTH, 96);
    }
    if (cp->tag_len)
        ttlv_put_int(w, TAG_TAG_LENGTH, (int32_t)cp->tag_len);
    if (cp->salt_len >= 0)
        ttlv_put_int(w, TAG_SALT_LENGTH, cp->salt_len);
    if (cp->mgf_hash) {
        ttlv_put_enum(w, TAG_MASK_GENERATOR, 1 /* MGF1 */);
        ttlv_put_enum(w, TAG_MGF_HASH, cp->mgf_hash);
    }
    if (cp->p_source_len)
        ttlv_put_bytes(w, TAG_P_SOURCE, cp->p_source, cp->p_source_len);
    ttlv_end(w);
}

static void build_crypto(ttlv_writer *w, void *arg)
{
    const struct crypto_call *c = arg;
    kmip_item_begin(w, c->operation);
    kmip_put_uid(w, c->uid);
    put_crypto_params(w, &c->cp);
    ttlv_put_bytes(w, c->data_tag, c->data, c->data_len);
    if (c->iv_len)
        ttlv_put_bytes(w, TAG_IV, c->iv, c->iv_len);
    if (c->aad_len)
        ttlv_put_bytes(w, TAG_AE_AAD, c->aad, c->aad_len);
    if (c->tag_len)
        ttlv_put_bytes(w, TAG_AE_TAG, c->tag, c->tag_len);
    kmip_item_end(w);
}

CK_RV crypto_call_run(struct slot *sl, const struct crypto_call *c, enum ckr_context ctx,
                      CK_ULONG *device_error, struct kmip_response *resp, ttlv_item *payload)
{
    CK_RV rv = sl->exchange(sl, 1, build_crypto, (void *)c, 1, resp);
    if (rv != CKR_OK)
        return rv;
    struct kmip_result r;
    if (!kmip_result_at(resp, 0, &r) || (r.status == 0 && !r.has_payload))
        rv = CKR_GENERAL_ERROR;
    else if (r.status != 0)
        rv = ckr_from_result(&r, ctx, device_error);
    else
        *payload = r.payload;
    if (rv != CKR_OK)
        kmip_response_free(resp);
    if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_WRAPPING_KEY_HANDLE_INVALID ||
        rv == CKR_UNWRAPPING_KEY_HANDLE_INVALID)
        objects_drop_uid(c->uid);
    return rv;
}

CK_RV rsa_oaep_encrypt_local(struct slot *sl, struct object *key, const struct operation *op,
                             const uint8_t *in, size_t n, uint8_t **out, size_t *out_len,
                             CK_ULONG *device_error)
{
    CK_RV rv;
    EVP_PKEY *pk = object_public_key(sl, key, device_error, &rv);
    if (!pk)
        return rv;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    uint8_t *label = NULL;
    size_t len = 0;
    rv = CKR_GENERAL_ERROR;
    if (ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, op->md) == 1 &&
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, op->mgf_md) == 1 &&
        (op->label_len == 0 || ((label = OPENSSL_memdup(op->label, op->label_len)) != NULL &&
                                EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, (int)op->label_len)
                                    == 1)) &&
        EVP_PKEY_encrypt(ctx, NULL, &len, in, n) == 1) {
        label = NULL; /* owned by ctx now */
        size_t k = (size_t)EVP_PKEY_get_size(pk);
        if (n > k - 2 - 2 * (size_t)EVP_MD_get_size(op->md))
            rv = CKR_DATA_LEN_RANGE;
        else if (!(*out = malloc(len)))
            rv = CKR_HOST_MEMORY;
        else if (EVP_PKEY_encrypt(ctx, *out, &len, in, n) == 1) {
            *out_len = len;
            rv = CKR_OK;
        } else {
            free(*out);
            *out = NULL;
        }
    }
    OPENSSL_free(label);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rv;
}

/* ---- init ---- */

static CK_RV crypt_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE hKey, int encrypt)
{
    struct session *s;
    CK_RV rv = op_claim(h, OP_NONE, &s);
    if (rv != CKR_OK)
        return rv;
    struct operation *op = &s->op;
    struct object *key = NULL;
    if (!m)
        rv = CKR_ARGUMENTS_BAD;
    else if (!(key = object_for_session(hKey, s->slot)))
        rv = CKR_KEY_HANDLE_INVALID;
    else if (key->owner)
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED; /* session keys are operands only */
    else if (!(encrypt ? key->can_encrypt : key->can_decrypt))
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (rv == CKR_OK) {
        switch (m->mechanism) {
        case CKM_AES_GCM:
            rv = key->key_type != CKK_AES ? CKR_KEY_TYPE_INCONSISTENT : mech_parse_gcm(m, op);
            break;
        case CKM_TRESOR_AES_GCM:
            rv = key->key_type != CKK_AES || key->bits != 256 || key->version <= 0
                     ? CKR_KEY_TYPE_INCONSISTENT : mech_parse_aad(m, op);
            break;
        case CKM_RSA_PKCS_OAEP:
            rv = key->key_type != CKK_RSA ||
                         key->cls != (encrypt ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY)
                     ? CKR_KEY_TYPE_INCONSISTENT : mech_parse_oaep(m, op);
            break;
        default:
            rv = CKR_MECHANISM_INVALID;
        }
    }
    if (rv == CKR_OK) {
        op->kind = encrypt ? OP_ENCRYPT : OP_DECRYPT;
        op->mech = m->mechanism;
        op->key = key;
        op->salt_len = -1;
        key = NULL;
    }
    object_put(key);
    return op_release(s, rv, 0);
}

CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return crypt_init(hSession, pMechanism, hKey, 1);
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return crypt_init(hSession, pMechanism, hKey, 0);
}

/* ---- the work ---- */

/* An upper bound of the output for n input bytes, computed without I/O. */
static CK_RV output_bound(const struct operation *op, size_t n, int encrypt, CK_ULONG *bound)
{
    switch (op->mech) {
    case CKM_AES_GCM:
        if (!encrypt && n < op->tag_len)
            return CKR_ENCRYPTED_DATA_LEN_RANGE;
        *bound = encrypt ? n + op->tag_len : n - op->tag_len;
        return CKR_OK;
    case CKM_TRESOR_AES_GCM:
        if (!encrypt && n < TRESOR_FORMAT_OVERHEAD)
            return CKR_ENCRYPTED_DATA_LEN_RANGE;
        *bound = encrypt ? n + TRESOR_FORMAT_OVERHEAD : n - TRESOR_FORMAT_OVERHEAD;
        return CKR_OK;
    default:
        *bound = (op->key->bits + 7) / 8;
        return CKR_OK;
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* KMIP Encrypt/Decrypt of the operation's AES-GCM or OAEP request; fills op->result. */
static CK_RV run_crypt(struct session *s, const uint8_t *in, size_t n, int encrypt)
{
    struct operation *op = &s->op;
    struct slot *sl = lib_slot(s->slot);
    CK_ULONG device_error = 0;
    CK_RV rv;
    if (op->mech == CKM_RSA_PKCS_OAEP && encrypt) {
        uint8_t *out = NULL;
        size_t out_len = 0;
        rv = rsa_oaep_encrypt_local(sl, op->key, op, in, n, &out, &out_len, &device_error);
        if (rv == CKR_OK && !set_result(op, out, out_len, NULL, 0))
            rv = CKR_HOST_MEMORY;
        free(out);
        session_set_device_error(s, device_error);
        return rv;
    }
    struct object *key = op->key;
    uint8_t header[TRESOR_HEADER] = {TRESOR_FORMAT_AES256_GCM};
    uint8_t *aad = NULL;
    struct crypto_call c = {.operation = encrypt ? KMIP_OP_ENCRYPT : KMIP_OP_DECRYPT,
                            .data_tag = TAG_DATA, .data = in, .data_len = n, .aad = op->aad,
                            .aad_len = op->aad_len};
    if (op->mech == CKM_RSA_PKCS_OAEP) {
        c.cp = (struct crypto_params){.padding = KMIP_PAD_OAEP, .alg = KMIP_ALG_RSA,
                                      .hash = kmip_hash_for_md(op->md),
                                      .mgf_hash = kmip_hash_for_md(op->mgf_md), .salt_len = -1,
                                      .p_source = op->label, .p_source_len = op->label_len};
    } else {
        c.cp = (struct crypto_params){.mode = KMIP_MODE_GCM, .alg = KMIP_ALG_AES,
                                      .tag_len = (uint32_t)op->tag_len, .salt_len = -1};
        c.iv = op->iv;
        c.iv_len = sizeof(op->iv);
    }
    if (op->mech == CKM_TRESOR_AES_GCM) {
        c.cp.tag_len = TRESOR_TAG;
        if (encrypt) {
            put_be32(header + 1, (uint32_t)key->version);
            c.cp.random_iv = 1;
            c.iv_len = 0;
        } else {
            uint32_t version = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 |
                               (uint32_t)in[3] << 8 | in[4];
            if (in[0] != TRESOR_FORMAT_AES256_GCM || version == 0)
                return CKR_ENCRYPTED_DATA_INVALID;
            memcpy(header, in, TRESOR_HEADER);
            if (version != (uint32_t)key->version &&
                (rv = find_key_version(sl, op->key, version, &key, &device_error)) != CKR_OK) {
                session_set_device_error(s, device_error);
                return rv;
            }
            c.iv = in + TRESOR_HEADER;
            c.data = in + TRESOR_HEADER + TRESOR_NONCE;
            c.data_len = n - TRESOR_HEADER - TRESOR_NONCE; /* the tag is split off below */
        }
        if (!(aad = malloc(TRESOR_HEADER + op->aad_len))) {
            if (key != op->key)
                object_put(key);
            return CKR_HOST_MEMORY;
        }
        memcpy(aad, header, TRESOR_HEADER);
        if (op->aad_len)
            memcpy(aad + TRESOR_HEADER, op->aad, op->aad_len);
        c.aad = aad;
        c.aad_len = TRESOR_HEADER + op->aad_len;
    }
    if (!encrypt && c.cp.mode == KMIP_MODE_GCM) {
        c.tag_len = c.cp.tag_len;
        c.data_len -= c.tag_len;
        c.tag = c.data + c.data_len;
    }
    c.uid = key->uid;
    struct kmip_response resp;
    ttlv_item payload;
    rv = crypto_call_run(sl, &c, encrypt ? CKR_CTX_KEY : CKR_CTX_DECRYPT, &device_error, &resp,
                         &payload);
    tresor_free_wiped(aad, c.aad_len);
    if (key != op->key)
        object_put(key);
    session_set_device_error(s, device_error);
    if (rv != CKR_OK)
        return rv;
    const uint8_t *data, *tag = NULL, *iv = NULL;
    size_t data_len, tag_len = 0, iv_len = 0;
    int gcm_encrypt = encrypt && c.cp.mode == KMIP_MODE_GCM;
    int ok = ttlv_find_bytes(&payload, TAG_DATA, &data, &data_len);
    if (ok && gcm_encrypt)
        ok = ttlv_find_bytes(&payload, TAG_AE_TAG, &tag, &tag_len) && tag_len >= c.cp.tag_len;
    if (ok && gcm_encrypt && op->mech == CKM_TRESOR_AES_GCM)
        ok = ttlv_find_bytes(&payload, TAG_IV, &iv, &iv_len) && iv_len == TRESOR_NONCE;
    if (!ok) {
        rv = CKR_GENERAL_ERROR;
    } else if (op->mech == CKM_TRESOR_AES_GCM && encrypt) {
        uint8_t *body = malloc(TRESOR_FORMAT_OVERHEAD + data_len);
        if (body) {
            memcpy(body, header, TRESOR_HEADER);
            memcpy(body + TRESOR_HEADER, iv, TRESOR_NONCE);
            memcpy(body + TRESOR_HEADER + TRESOR_NONCE, data, data_len);
            memcpy(body + TRESOR_HEADER + TRESOR_NONCE + data_len, tag, TRESOR_TAG);
        }
        if (!body || !set_result(op, body, TRESOR_FORMAT_OVERHEAD + data_len, NULL, 0))
            rv = CKR_HOST_MEMORY;
        tresor_free_wiped(body, TRESOR_FORMAT_OVERHEAD + data_len);
    } else if (!set_result(op, data, data_len, tag, tag ? c.cp.tag_len : 0)) {
        /* A GCM tag is truncated by keeping its leading bytes. */
        rv = CKR_HOST_MEMORY;
    }
    kmip_response_free(&resp);
    return rv;
}

/* Every part is kept and the final call produces everything in one round trip, so an update
 * outputs nothing; a NULL output buffer is a length query and does not consume the part. */
static CK_RV crypt_update(CK_SESSION_HANDLE h, int encrypt, CK_BYTE_PTR in, CK_ULONG n,
                          CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    struct session *s;
    CK_RV rv = op_claim(h, encrypt ? OP_ENCRYPT : OP_DECRYPT, &s);
    if (rv != CKR_OK)
        return rv;
    if (!out_len)
        rv = CKR_ARGUMENTS_BAD;
    else if (out)
        rv = append_input(&s->op, in, n, TRESOR_MAX_DATA);
    if (rv == CKR_OK)
        *out_len = 0;
    return op_release(s, rv, 0);
}

/* C_Encrypt/C_Decrypt (single: the input is given) and C_*Final (the updates buffered it). */
static CK_RV crypt_finish(CK_SESSION_HANDLE h, int encrypt, int single, CK_BYTE_PTR in, CK_ULONG n,
                          CK_BYTE_PTR out, CK_ULONG_PTR out_len, int interface_30)
{
    struct session *s;
    CK_RV rv = op_claim(h, encrypt ? OP_ENCRYPT : OP_DECRYPT, &s);
    if (rv != CKR_OK)
        return rv;
    struct operation *op = &s->op;
    int done = 0;
    size_t limit = TRESOR_MAX_DATA + (encrypt ? 0 : TRESOR_FORMAT_OVERHEAD);
    if (!single) {
        in = op->buf;
        n = op->buf_len;
    }
    if (!out_len || (!in && n))
        rv = CKR_ARGUMENTS_BAD;
    else if (single && op->multipart)
        rv = CKR_OPERATION_ACTIVE;
    else if (op->result)
        rv = output_result(op, out, out_len, &done);
    else if (n > limit)
        rv = CKR_DATA_LEN_RANGE;
    else if ((rv = output_bound(op, n, encrypt, out_len)) == CKR_OK && out &&
             (rv = run_crypt(s, in, n, encrypt)) == CKR_OK)
        rv = output_result(op, out, out_len, &done);
    /* PKCS#11 3.0 has its own code for a failed AEAD tag check; 2.40 callers know only this. */
    if (interface_30 && rv == CKR_ENCRYPTED_DATA_INVALID && op->mech != CKM_RSA_PKCS_OAEP)
        rv = CKR_AEAD_DECRYPT_FAILED;
    return op_release(s, rv, done);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
                CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
    return crypt_finish(hSession, 1, 1, pData, ulDataLen, pEncryptedData, pulEncryptedDataLen, 0);
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                      CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
    return crypt_update(hSession, 1, pPart, ulPartLen, pEncryptedPart, pulEncryptedPartLen);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
                     CK_ULONG_PTR pulLastEncryptedPartLen)
{
    return crypt_finish(hSession, 1, 0, NULL, 0, pLastEncryptedPart, pulLastEncryptedPartLen, 0);
}

CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG ulEncryptedDataLen,
                CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
    return crypt_finish(hSession, 0, 1, pEncryptedData, ulEncryptedDataLen, pData, pulDataLen, 0);
}

CK_RV C_Decrypt_v30(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
                    CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
    return crypt_finish(hSession, 0, 1, pEncryptedData, ulEncryptedDataLen, pData, pulDataLen, 1);
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                      CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
    return crypt_update(hSession, 0, pEncryptedPart, ulEncryptedPartLen, pPart, pulPartLen);
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart, CK_ULONG_PTR pulLastPartLen)
{
    return crypt_finish(hSession, 0, 0, NULL, 0, pLastPart, pulLastPartLen, 0);
}

CK_RV C_DecryptFinal_v30(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
                         CK_ULONG_PTR pulLastPartLen)
{
    return crypt_finish(hSession, 0, 0, NULL, 0, pLastPart, pulLastPartLen, 1);
}
