/* C_Sign* through KMIP Sign (digests computed locally) and C_Verify* done locally. */
#include "tresor.h"

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

/* Raw mechanisms take a digest or DigestInfo; no more than this is accepted. */
#define RAW_INPUT_MAX 512

struct sign_mechanism {
    CK_MECHANISM_TYPE mech;
    CK_KEY_TYPE key_type;
    CK_MECHANISM_TYPE digest; /* 0: the caller passes the digest */
    int pss;
};

static const struct sign_mechanism SIGN_MECHANISMS[] = {
    {CKM_RSA_PKCS, CKK_RSA, 0, 0},
    {CKM_SHA256_RSA_PKCS, CKK_RSA, CKM_SHA256, 0},
    {CKM_SHA384_RSA_PKCS, CKK_RSA, CKM_SHA384, 0},
    {CKM_SHA512_RSA_PKCS, CKK_RSA, CKM_SHA512, 0},
    {CKM_RSA_PKCS_PSS, CKK_RSA, 0, 1},
    {CKM_SHA256_RSA_PKCS_PSS, CKK_RSA, CKM_SHA256, 1},
    {CKM_SHA384_RSA_PKCS_PSS, CKK_RSA, CKM_SHA384, 1},
    {CKM_SHA512_RSA_PKCS_PSS, CKK_RSA, CKM_SHA512, 1},
    {CKM_ECDSA, CKK_EC, 0, 0},
    {CKM_ECDSA_SHA256, CKK_EC, CKM_SHA256, 0},
    {CKM_ECDSA_SHA384, CKK_EC, CKM_SHA384, 0},
    {CKM_ECDSA_SHA512, CKK_EC, CKM_SHA512, 0},
};

static const struct sign_mechanism *sign_mechanism(CK_MECHANISM_TYPE m)
{
    for (size_t i = 0; i < sizeof(SIGN_MECHANISMS) / sizeof(SIGN_MECHANISMS[0]); i++)
        if (SIGN_MECHANISMS[i].mech == m)
            return &SIGN_MECHANISMS[i];
    return NULL;
}

/* DER DigestInfo prefixes (RFC 8017 §9.2 note 1) for the hashes this library supports. */
static const struct {
    uint8_t prefix[19];
    const EVP_MD *(*md)(void);
} DIGEST_INFOS[] = {
    {{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
      0x05, 0x00, 0x04, 0x20}, EVP_sha256},
    {{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
      0x05, 0x00, 0x04, 0x30}, EVP_sha384},
    {{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
      0x05, 0x00, 0x04, 0x40}, EVP_sha512},
};

static const EVP_MD *md_for_length(size_t n)
{
    return n == 32 ? EVP_sha256() : n == 48 ? EVP_sha384() : n == 64 ? EVP_sha512() : NULL;
}

/* The digest to sign and its hash: DigestInfo is unwrapped for CKM_RSA_PKCS. */
static int split_digest(const struct operation *op, const uint8_t *in, size_t n,
                        const uint8_t **digest, size_t *digest_len, const EVP_MD **md)
{
    if (op->mech != CKM_RSA_PKCS) {
        *md = op->md ? op->md : md_for_length(n);
        *digest = in;
        *digest_len = n;
        return *md && (size_t)EVP_MD_get_size(*md) == n;
    }
    for (size_t i = 0; i < sizeof(DIGEST_INFOS) / sizeof(DIGEST_INFOS[0]); i++) {
        *md = DIGEST_INFOS[i].md();
        size_t h = (size_t)EVP_MD_get_size(*md);
        if (n == 19 + h && !memcmp(in, DIGEST_INFOS[i].prefix, 19)) {
            *digest = in + 19;
            *digest_len = h;
            return 1;
        }
    }
    return 0;
}

static size_t signature_length(const struct object *key)
{
    size_t bytes = (key->bits + 7) / 8;
    return key->key_type == CKK_EC ? 2 * bytes : bytes;
}

static CK_RV sign_verify_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE hKey,
                              int sign)
{
    struct session *s;
    CK_RV rv = op_claim(h, OP_NONE, &s);
    if (rv != CKR_OK)
        return rv;
    struct operation *op = &s->op;
    struct object *key = NULL;
    const struct sign_mechanism *sm = m ? sign_mechanism(m->mechanism) : NULL;
    if (!m)
        rv = CKR_ARGUMENTS_BAD;
    else if (!sm)
        rv = CKR_MECHANISM_INVALID;
    else if (!(key = object_for_session(hKey, s->slot)))
        rv = CKR_KEY_HANDLE_INVALID;
    else if (key->key_type != sm->key_type ||
             key->cls != (sign ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY))
        rv = CKR_KEY_TYPE_INCONSISTENT;
    else if (!(sign ? key->can_sign : key->can_verify))
        rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
    else if (sm->pss)
        rv = mech_parse_pss(m, sm->digest, op);
    else if (m->ulParameterLen != 0)
        rv = CKR_MECHANISM_PARAM_INVALID;
    op->salt_len = sm && sm->pss ? op->salt_len : -1;
    if (rv == CKR_OK && sm->digest) {
        op->md = md_for_mech(sm->digest);
        if (!(op->md_ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(op->md_ctx, op->md, NULL))
            rv = CKR_HOST_MEMORY;
    }
    if (rv == CKR_OK) {
        op->kind = sign ? OP_SIGN : OP_VERIFY;
        op->mech = m->mechanism;
        op->key = key;
        key = NULL;
    }
    object_put(key);
    return op_release(s, rv, 0);
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return sign_verify_init(hSession, pMechanism, hKey, 1);
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
    return sign_verify_init(hSession, pMechanism, hKey, 0);
}

/* Feeds input: hashing mechanisms hash it, raw ones keep it for the final call. */
static CK_RV absorb(struct operation *op, const uint8_t *p, CK_ULONG n)
{
    if (!p && n)
        return CKR_ARGUMENTS_BAD;
    if (op->md_ctx) {
        op->multipart = 1;
        return EVP_DigestUpdate(op->md_ctx, p, n) ? CKR_OK : CKR_GENERAL_ERROR;
    }
    return append_input(op, p, n, RAW_INPUT_MAX);
}

/* The digest of everything absorbed (for raw mechanisms: the input itself). */
static CK_RV digest_of_input(struct operation *op, uint8_t *buf, const uint8_t **digest,
                             size_t *digest_len, const EVP_MD **md)
{
    if (op->md_ctx) {
        unsigned int n = 0;
        if (!EVP_DigestFinal_ex(op->md_ctx, buf, &n))
            return CKR_GENERAL_ERROR;
        EVP_MD_CTX_free(op->md_ctx);
        op->md_ctx = NULL;
        *digest = buf;
        *digest_len = n;
        *md = op->md;
        return CKR_OK;
    }
    return split_digest(op, op->buf, op->buf_len, digest, digest_len, md) ? CKR_OK
                                                                          : CKR_DATA_LEN_RANGE;
}

int ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t field, uint8_t *out)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!sig || p != der + der_len) {
        ECDSA_SIG_free(sig);
        return 0;
    }
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(sig, &r, &s);
    int ok = BN_bn2binpad(r, out, (int)field) == (int)field &&
             BN_bn2binpad(s, out + field, (int)field) == (int)field;
    ECDSA_SIG_free(sig);
    return ok;
}

static CK_RV run_sign(struct session *s)
{
    struct operation *op = &s->op;
    uint8_t buf[EVP_MAX_MD_SIZE];
    const uint8_t *digest;
    size_t digest_len;
    const EVP_MD *md;
    CK_RV rv = digest_of_input(op, buf, &digest, &digest_len, &md);
    if (rv != CKR_OK)
        return rv;
    int ec = op->key->key_type == CKK_EC;
    struct crypto_call c = {.operation = KMIP_OP_SIGN, .uid = op->key->uid,
                            .data_tag = TAG_DIGESTED_DATA, .data = digest,
                            .data_len = digest_len};
    c.cp = (struct crypto_params){.alg = ec ? KMIP_ALG_ECDSA : KMIP_ALG_RSA,
                                  .hash = kmip_hash_for_md(md), .salt_len = -1};
    if (!ec) {
        int pss = op->salt_len >= 0;
        c.cp.padding = pss ? KMIP_PAD_PSS : KMIP_PAD_PKCS1;
        if (pss) {
            c.cp.salt_len = op->salt_len;
            c.cp.mgf_hash = c.cp.hash;
        }
    }
    CK_ULONG device_error = 0;
    struct kmip_response resp;
    ttlv_item payload;
    rv = crypto_call_run(lib_slot(s->slot), &c, CKR_CTX_KEY, &device_error, &resp, &payload);
    session_set_device_error(s, device_error);
    if (rv != CKR_OK)
        return rv;
    const uint8_t *sig;
    size_t sig_len, want = signature_length(op->key);
    uint8_t raw[2 * 66];
    if (!ttlv_find_bytes(&payload, TAG_SIGNATURE_DATA, &sig, &sig_len))
        rv = CKR_GENERAL_ERROR;
    else if (ec && (want > sizeof(raw) || !ecdsa_der_to_raw(sig, sig_len, want / 2, raw)))
        rv = CKR_GENERAL_ERROR;
    else if (!ec && sig_len != want)
        rv = CKR_GENERAL_ERROR;
    else if (!set_result(op, ec ? raw : sig, want, NULL, 0))
        rv = CKR_HOST_MEMORY;
    kmip_response_free(&resp);
    return rv;
}

static CK_RV sign_finish(struct session *s, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
    struct operation *op = &s->op;
    int done = 0;
    CK_RV rv;
    if (op->result) {
        rv = output_result(op, sig, sig_len, &done);
    } else if (!sig) {
        *sig_len = signature_length(op->key);
        rv = CKR_OK;
    } else if (*sig_len < signature_length(op->key)) {
        *sig_len = signature_length(op->key);
        rv = CKR_BUFFER_TOO_SMALL;
    } else if ((rv = run_sign(s)) == CKR_OK) {
        rv = output_result(op, sig, sig_len, &done);
    }
    return op_release(s, rv, done);
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
             CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_SIGN, &s);
    if (rv != CKR_OK)
        return rv;
    if (!pulSignatureLen)
        return op_release(s, CKR_ARGUMENTS_BAD, 1);
    if (s->op.multipart)
        return op_release(s, CKR_OPERATION_ACTIVE, 1);
    /* A length query or the retry after BUFFER_TOO_SMALL must not absorb the data twice. */
    if (!s->op.result && pSignature && *pulSignatureLen >= signature_length(s->op.key) &&
        (rv = absorb(&s->op, pData, ulDataLen)) != CKR_OK)
        return op_release(s, rv, 1);
    return sign_finish(s, pSignature, pulSignatureLen);
}

static CK_RV update(CK_SESSION_HANDLE h, enum op_kind kind, CK_BYTE_PTR p, CK_ULONG n)
{
    struct session *s;
    CK_RV rv = op_claim(h, kind, &s);
    return rv != CKR_OK ? rv : op_release(s, absorb(&s->op, p, n), 0);
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    return update(hSession, OP_SIGN, pPart, ulPartLen);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_SIGN, &s);
    if (rv != CKR_OK)
        return rv;
    if (!pulSignatureLen)
        return op_release(s, CKR_ARGUMENTS_BAD, 1);
    return sign_finish(s, pSignature, pulSignatureLen);
}

static ECDSA_SIG *raw_to_ecdsa(const uint8_t *sig, size_t n)
{
    ECDSA_SIG *e = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(n / 2), NULL), *s = BN_bin2bn(sig + n / 2, (int)(n / 2), NULL);
    if (!e || !r || !s || !ECDSA_SIG_set0(e, r, s)) {
        ECDSA_SIG_free(e);
        BN_free(r);
        BN_free(s);
        return NULL;
    }
    return e;
}

static CK_RV run_verify(struct session *s, const uint8_t *sig, size_t sig_len)
{
    struct operation *op = &s->op;
    if (sig_len != signature_length(op->key))
        return CKR_SIGNATURE_LEN_RANGE;
    uint8_t buf[EVP_MAX_MD_SIZE];
    const uint8_t *digest;
    size_t digest_len;
    const EVP_MD *md;
    CK_RV rv = digest_of_input(op, buf, &digest, &digest_len, &md);
    if (rv != CKR_OK)
        return rv;
    CK_ULONG device_error = 0;
    EVP_PKEY *pk = object_public_key(lib_slot(s->slot), op->key, &device_error, &rv);
    session_set_device_error(s, device_error);
    if (!pk)
        return rv;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    unsigned char *der = NULL;
    int der_len = 0;
    rv = CKR_GENERAL_ERROR;
    if (ctx && EVP_PKEY_verify_init(ctx) == 1) {
        int ok = 1;
        if (op->key->key_type == CKK_EC) {
            ECDSA_SIG *e = raw_to_ecdsa(sig, sig_len);
            ok = e && (der_len = i2d_ECDSA_SIG(e, &der)) > 0;
            ECDSA_SIG_free(e);
        } else if (op->salt_len >= 0) {
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, op->mgf_md) == 1 &&
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, op->salt_len) == 1;
        } else {
            ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
        }
        if (ok) {
            int r = der ? EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, digest_len)
                        : EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len);
            rv = r == 1 ? CKR_OK : CKR_SIGNATURE_INVALID;
        }
    }
    OPENSSL_free(der);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rv;
}

CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
               CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_VERIFY, &s);
    if (rv != CKR_OK)
        return rv;
    if (!pSignature)
        rv = CKR_ARGUMENTS_BAD;
    else if (s->op.multipart)
        rv = CKR_OPERATION_ACTIVE;
    else if ((rv = absorb(&s->op, pData, ulDataLen)) == CKR_OK)
        rv = run_verify(s, pSignature, ulSignatureLen);
    return op_release(s, rv, 1);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
    return update(hSession, OP_VERIFY, pPart, ulPartLen);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
    struct session *s;
    CK_RV rv = op_claim(hSession, OP_VERIFY, &s);
    if (rv != CKR_OK)
        return rv;
    rv = pSignature ? run_verify(s, pSignature, ulSignatureLen) : CKR_ARGUMENTS_BAD;
    return op_release(s, rv, 1);
}
