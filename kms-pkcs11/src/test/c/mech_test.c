#include "test.h"
#include "tresor.h"

#include <openssl/evp.h>
#include <string.h>

static CK_BYTE IV[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static CK_BYTE AAD[5] = {'v', 'o', 'l', '-', '1'};

static CK_RV parse_gcm6(CK_ULONG iv_len, CK_ULONG tag_bits, CK_BYTE_PTR aad, CK_ULONG aad_len,
                        struct operation *op)
{
    CK_GCM_PARAMS p = {IV, iv_len, iv_len * 8, aad, aad_len, tag_bits};
    CK_MECHANISM m = {CKM_AES_GCM, &p, sizeof(p)};
    memset(op, 0, sizeof(*op));
    return mech_parse_gcm(&m, op);
}

TEST(gcm_accepts_both_parameter_layouts)
{
    struct operation op;
    CHECK_RV(parse_gcm6(12, 128, AAD, sizeof(AAD), &op), CKR_OK);
    CHECK(op.tag_len == 16 && op.aad_len == 5 && !memcmp(op.iv, IV, 12) && op.has_iv);
    operation_reset(&op);

    CK_GCM_PARAMS_V240 old = {IV, 12, AAD, sizeof(AAD), 96};
    CK_MECHANISM m = {CKM_AES_GCM, &old, sizeof(old)};
    memset(&op, 0, sizeof(op));
    CHECK_RV(mech_parse_gcm(&m, &op), CKR_OK);
    CHECK(op.tag_len == 12 && op.aad_len == 5);
    operation_reset(&op);
    CHECK(sizeof(CK_GCM_PARAMS_V240) == 40 && sizeof(CK_GCM_PARAMS) == 48);
}

TEST(gcm_tag_zero_means_128_and_bad_parameters_are_refused)
{
    struct operation op;
    CHECK_RV(parse_gcm6(12, 0, NULL, 0, &op), CKR_OK);
    CHECK(op.tag_len == 16);
    operation_reset(&op);
    CHECK_RV(parse_gcm6(16, 128, NULL, 0, &op), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(parse_gcm6(12, 88, NULL, 0, &op), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(parse_gcm6(12, 100, NULL, 0, &op), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(parse_gcm6(12, 136, NULL, 0, &op), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(parse_gcm6(12, 128, NULL, 3, &op), CKR_MECHANISM_PARAM_INVALID);
    CK_MECHANISM m = {CKM_AES_GCM, IV, sizeof(IV)};
    CHECK_RV(mech_parse_gcm(&m, &op), CKR_MECHANISM_PARAM_INVALID);
}

TEST(oaep_requires_matching_mgf_and_a_sha2_hash)
{
    struct operation op = {0};
    CK_BYTE label[3] = {'a', 'b', 'c'};
    CK_RSA_PKCS_OAEP_PARAMS p = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label, 3};
    CK_MECHANISM m = {CKM_RSA_PKCS_OAEP, &p, sizeof(p)};
    CHECK_RV(mech_parse_oaep(&m, &op), CKR_OK);
    CHECK(op.md == EVP_sha256() && op.mgf_md == EVP_sha256() && op.label_len == 3);
    operation_reset(&op);
    p.source = 0; /* accepted, as libkmsp11 does */
    CHECK_RV(mech_parse_oaep(&m, &op), CKR_OK);
    operation_reset(&op);
    p.mgf = CKG_MGF1_SHA1;
    CHECK_RV(mech_parse_oaep(&m, &op), CKR_MECHANISM_PARAM_INVALID);
    p.mgf = CKG_MGF1_SHA256;
    p.hashAlg = CKM_SHA_1;
    CHECK_RV(mech_parse_oaep(&m, &op), CKR_MECHANISM_PARAM_INVALID);
    p.hashAlg = CKM_SHA256;
    p.pSourceData = NULL;
    CHECK_RV(mech_parse_oaep(&m, &op), CKR_MECHANISM_PARAM_INVALID);
    m.ulParameterLen = 8;
    CHECK_RV(mech_parse_oaep(&m, &op), CKR_MECHANISM_PARAM_INVALID);
}

TEST(pss_salt_is_bounded_by_the_hash_and_the_hash_must_match)
{
    struct operation op = {0};
    CK_RSA_PKCS_PSS_PARAMS p = {CKM_SHA384, CKG_MGF1_SHA384, 48};
    CK_MECHANISM m = {CKM_SHA384_RSA_PKCS_PSS, &p, sizeof(p)};
    CHECK_RV(mech_parse_pss(&m, CKM_SHA384, &op), CKR_OK);
    CHECK(op.salt_len == 48 && op.md == EVP_sha384());
    p.sLen = 0;
    CHECK_RV(mech_parse_pss(&m, CKM_SHA384, &op), CKR_OK);
    p.sLen = 49;
    CHECK_RV(mech_parse_pss(&m, CKM_SHA384, &op), CKR_MECHANISM_PARAM_INVALID);
    p.sLen = 32;
    CHECK_RV(mech_parse_pss(&m, CKM_SHA256, &op), CKR_MECHANISM_PARAM_INVALID);
    p.mgf = CKG_MGF1_SHA256;
    CHECK_RV(mech_parse_pss(&m, 0, &op), CKR_MECHANISM_PARAM_INVALID);
}

TEST(key_wrap_accepts_only_the_default_ivs)
{
    CK_BYTE kwp[4] = {0xA6, 0x59, 0x59, 0xA6}, kw[8];
    memset(kw, 0xA6, sizeof(kw));
    CK_MECHANISM m = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    CHECK_RV(mech_parse_wrap_iv(&m), CKR_OK);
    m.pParameter = kwp, m.ulParameterLen = 4;
    CHECK_RV(mech_parse_wrap_iv(&m), CKR_OK);
    m.mechanism = CKM_AES_KEY_WRAP_PAD;
    CHECK_RV(mech_parse_wrap_iv(&m), CKR_OK);
    m.mechanism = CKM_AES_KEY_WRAP;
    CHECK_RV(mech_parse_wrap_iv(&m), CKR_MECHANISM_PARAM_INVALID);
    m.pParameter = kw, m.ulParameterLen = 8;
    CHECK_RV(mech_parse_wrap_iv(&m), CKR_OK);
    kw[7] = 0;
    CHECK_RV(mech_parse_wrap_iv(&m), CKR_MECHANISM_PARAM_INVALID);
}

TEST(output_follows_the_two_call_convention)
{
    struct operation op = {0};
    CK_BYTE out[8];
    CK_ULONG len = 0;
    int done = 1;
    CHECK(set_result(&op, (const uint8_t *)"abc", 3, (const uint8_t *)"de", 2));
    CHECK_RV(output_result(&op, NULL, &len, &done), CKR_OK);
    CHECK(len == 5 && !done);
    len = 4;
    CHECK_RV(output_result(&op, out, &len, &done), CKR_BUFFER_TOO_SMALL);
    CHECK(len == 5 && !done);
    len = sizeof(out);
    CHECK_RV(output_result(&op, out, &len, &done), CKR_OK);
    CHECK(len == 5 && done && !memcmp(out, "abcde", 5));
    operation_reset(&op);
}

TEST(input_over_64_kib_is_refused_before_any_work)
{
    struct operation op = {0};
    static uint8_t chunk[32 * 1024];
    CHECK_RV(append_input(&op, chunk, sizeof(chunk), TRESOR_MAX_DATA), CKR_OK);
    CHECK_RV(append_input(&op, chunk, sizeof(chunk), TRESOR_MAX_DATA), CKR_OK);
    CHECK_RV(append_input(&op, chunk, 1, TRESOR_MAX_DATA), CKR_DATA_LEN_RANGE);
    CHECK(op.buf_len == TRESOR_MAX_DATA);
    CHECK_RV(append_input(&op, NULL, 1, TRESOR_MAX_DATA), CKR_ARGUMENTS_BAD);
    operation_reset(&op);
}

TEST(ecdsa_signatures_convert_from_der_to_fixed_width)
{
    /* SEQUENCE { INTEGER 0x00ff (positive, padded), INTEGER 0x01 } */
    const uint8_t der[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x01};
    uint8_t raw[64];
    CHECK(ecdsa_der_to_raw(der, sizeof(der), 32, raw));
    CHECK(raw[31] == 0xff && raw[30] == 0 && raw[63] == 0x01 && raw[32] == 0);
    CHECK(!ecdsa_der_to_raw(der, sizeof(der) - 1, 32, raw));
    const uint8_t trailing[] = {0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x01, 0x00};
    CHECK(!ecdsa_der_to_raw(trailing, sizeof(trailing), 32, raw));
}
