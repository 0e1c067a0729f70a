/* Mechanism parameters (PKCS11.md §3) and the PKCS#11 output-buffer convention. */
#include "tresor.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

const EVP_MD *md_for_mech(CK_MECHANISM_TYPE hash_mech)
{
    switch (hash_mech) {
    case CKM_SHA256: return EVP_sha256();
    case CKM_SHA384: return EVP_sha384();
    case CKM_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

uint32_t kmip_hash_for_md(const EVP_MD *md)
{
    switch (EVP_MD_get_size(md)) {
    case 32: return KMIP_HASH_SHA256;
    case 48: return KMIP_HASH_SHA384;
    default: return KMIP_HASH_SHA512;
    }
}

static CK_MECHANISM_TYPE hash_of_mgf(CK_RSA_PKCS_MGF_TYPE mgf)
{
    switch (mgf) {
    case CKG_MGF1_SHA256: return CKM_SHA256;
    case CKG_MGF1_SHA384: return CKM_SHA384;
    case CKG_MGF1_SHA512: return CKM_SHA512;
    default: return 0;
    }
}

static CK_RV copy_param(const uint8_t *p, size_t n, uint8_t **dst, size_t *dst_len)
{
    if (n == 0)
        return CKR_OK;
    if (!p || n > TRESOR_MAX_DATA)
        return CKR_MECHANISM_PARAM_INVALID;
    if (!(*dst = malloc(n)))
        return CKR_HOST_MEMORY;
    memcpy(*dst, p, n);
    *dst_len = n;
    return CKR_OK;
}

/* Both layouts of CK_GCM_PARAMS, told apart by size; ulIvBits is ignored. */
CK_RV mech_parse_gcm(const CK_MECHANISM *m, struct operation *op)
{
    const uint8_t *iv, *aad;
    CK_ULONG iv_len, aad_len, tag_bits;
    if (m->pParameter && m->ulParameterLen == sizeof(CK_GCM_PARAMS)) {
        const CK_GCM_PARAMS *p = m->pParameter;
        iv = p->pIv, iv_len = p->ulIvLen, aad = p->pAAD, aad_len = p->ulAADLen;
        tag_bits = p->ulTagBits;
    } else if (m->pParameter && m->ulParameterLen == sizeof(CK_GCM_PARAMS_V240)) {
        const CK_GCM_PARAMS_V240 *p = m->pParameter;
        iv = p->pIv, iv_len = p->ulIvLen, aad = p->pAAD, aad_len = p->ulAADLen;
        tag_bits = p->ulTagBits;
    } else {
        return CKR_MECHANISM_PARAM_INVALID;
    }
    if (tag_bits == 0)
        tag_bits = 128;
    if (!iv || iv_len != sizeof(op->iv) || tag_bits < 96 || tag_bits > 128 || tag_bits % 8 ||
        (!aad && aad_len))
        return CKR_MECHANISM_PARAM_INVALID;
    memcpy(op->iv, iv, sizeof(op->iv));
    op->has_iv = 1;
    op->tag_len = tag_bits / 8;
    return copy_param(aad, aad_len, &op->aad, &op->aad_len);
}

CK_RV mech_parse_aad(const CK_MECHANISM *m, struct operation *op)
{
    if (!m->pParameter && m->ulParameterLen)
        return CKR_MECHANISM_PARAM_INVALID;
    return copy_param(m->pParameter, m->ulParameterLen, &op->aad, &op->aad_len);
}

CK_RV mech_parse_oaep(const CK_MECHANISM *m, struct operation *op)
{
    if (!m->pParameter || m->ulParameterLen != sizeof(CK_RSA_PKCS_OAEP_PARAMS))
        return CKR_MECHANISM_PARAM_INVALID;
    const CK_RSA_PKCS_OAEP_PARAMS *p = m->pParameter;
    op->md = md_for_mech(p->hashAlg);
    if (!op->md || hash_of_mgf(p->mgf) != p->hashAlg ||
        (p->source != 0 && p->source != CKZ_DATA_SPECIFIED) ||
        (!p->pSourceData && p->ulSourceDataLen))
        return CKR_MECHANISM_PARAM_INVALID;
    op->mgf_md = op->md;
    return copy_param(p->pSourceData, p->ulSourceDataLen, &op->label, &op->label_len);
}

CK_RV mech_parse_pss(const CK_MECHANISM *m, CK_MECHANISM_TYPE digest_mech, struct operation *op)
{
    if (!m->pParameter || m->ulParameterLen != sizeof(CK_RSA_PKCS_PSS_PARAMS))
        return CKR_MECHANISM_PARAM_INVALID;
    const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
    const EVP_MD *md = md_for_mech(p->hashAlg);
    if (!md || (digest_mech && p->hashAlg != digest_mech) || hash_of_mgf(p->mgf) != p->hashAlg ||
        p->sLen > (CK_ULONG)EVP_MD_get_size(md))
        return CKR_MECHANISM_PARAM_INVALID;
    op->md = op->mgf_md = md;
    op->salt_len = (int)p->sLen;
    return CKR_OK;
}

CK_RV mech_parse_wrap_iv(const CK_MECHANISM *m)
{
    static const uint8_t KWP_IV[4] = {0xA6, 0x59, 0x59, 0xA6};
    static const uint8_t KW_IV[8] = {0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6};
    if (!m->pParameter && m->ulParameterLen == 0)
        return CKR_OK;
    const uint8_t *want = m->mechanism == CKM_AES_KEY_WRAP ? KW_IV : KWP_IV;
    size_t n = m->mechanism == CKM_AES_KEY_WRAP ? sizeof(KW_IV) : sizeof(KWP_IV);
    return m->pParameter && m->ulParameterLen == n && !memcmp(m->pParameter, want, n)
               ? CKR_OK : CKR_MECHANISM_PARAM_INVALID;
}

int set_result(struct operation *op, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    uint8_t *r = malloc(an + bn ? an + bn : 1);
    if (!r)
        return 0;
    if (an)
        memcpy(r, a, an);
    if (bn)
        memcpy(r + an, b, bn);
    tresor_free_wiped(op->result, op->result_len);
    op->result = r;
    op->result_len = an + bn;
    return 1;
}

CK_RV output_result(struct operation *op, CK_BYTE_PTR out, CK_ULONG_PTR out_len, int *done)
{
    *done = 0;
    CK_ULONG available = *out_len;
    *out_len = op->result_len;
    if (!out)
        return CKR_OK;
    if (available < op->result_len)
        return CKR_BUFFER_TOO_SMALL;
    if (op->result_len)
        memcpy(out, op->result, op->result_len);
    *done = 1;
    return CKR_OK;
}

CK_RV append_input(struct operation *op, const uint8_t *p, CK_ULONG n, size_t limit)
{
    if (!p && n)
        return CKR_ARGUMENTS_BAD;
    if (limit > TRESOR_MAX_DATA)
        limit = TRESOR_MAX_DATA;
    if (n > limit || op->buf_len > limit - n)
        return CKR_DATA_LEN_RANGE;
    if (!op->buf && !(op->buf = malloc(TRESOR_MAX_DATA)))
        return CKR_HOST_MEMORY;
    if (n)
        memcpy(op->buf + op->buf_len, p, n);
    op->buf_len += n;
    op->multipart = 1;
    return CKR_OK;
}
