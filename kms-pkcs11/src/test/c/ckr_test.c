#include "test.h"
#include "tresor.h"

/* The note's table (PKCS11.md §5), row by row. */
TEST(not_found_depends_on_the_call)
{
    uint32_t reasons[] = {0x01, 0x36, 0x37};
    for (int i = 0; i < 3; i++) {
        CHECK_RV(ckr_from_reason(reasons[i], CKR_CTX_KEY), CKR_KEY_HANDLE_INVALID);
        CHECK_RV(ckr_from_reason(reasons[i], CKR_CTX_WRAP), CKR_WRAPPING_KEY_HANDLE_INVALID);
        CHECK_RV(ckr_from_reason(reasons[i], CKR_CTX_UNWRAP), CKR_UNWRAPPING_KEY_HANDLE_INVALID);
        CHECK_RV(ckr_from_reason(reasons[i], CKR_CTX_OTHER), CKR_OBJECT_HANDLE_INVALID);
    }
}

TEST(permission_and_lifecycle_failures_are_key_function_not_permitted)
{
    uint32_t reasons[] = {0x43, 0x0C, 0x39, 0x29, 0x1A};
    for (int i = 0; i < 5; i++)
        CHECK_RV(ckr_from_reason(reasons[i], CKR_CTX_KEY), CKR_KEY_FUNCTION_NOT_PERMITTED);
}

TEST(authentication_attestation_and_extraction_reasons)
{
    CHECK_RV(ckr_from_reason(0x03, CKR_CTX_LOGIN), CKR_PIN_INCORRECT);
    CHECK_RV(ckr_from_reason(0x03, CKR_CTX_KEY), CKR_USER_NOT_LOGGED_IN);
    CHECK_RV(ckr_from_reason(0x14, CKR_CTX_DECRYPT), CKR_FUNCTION_REJECTED);
    CHECK_RV(ckr_from_reason(0x15, CKR_CTX_DECRYPT), CKR_FUNCTION_REJECTED);
    CHECK_RV(ckr_from_reason(0x16, CKR_CTX_OTHER), CKR_ATTRIBUTE_SENSITIVE);
    CHECK_RV(ckr_from_reason(0x17, CKR_CTX_OTHER), CKR_KEY_UNEXTRACTABLE);
}

TEST(cryptographic_failure_never_says_why)
{
    CHECK_RV(ckr_from_reason(0x0A, CKR_CTX_DECRYPT), CKR_ENCRYPTED_DATA_INVALID);
    CHECK_RV(ckr_from_reason(0x0A, CKR_CTX_UNWRAP), CKR_WRAPPED_KEY_INVALID);
    CHECK_RV(ckr_from_reason(0x0A, CKR_CTX_KEY), CKR_FUNCTION_FAILED);
}

TEST(parameter_size_and_template_reasons)
{
    CHECK_RV(ckr_from_reason(0x24, CKR_CTX_KEY), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(ckr_from_reason(0x3E, CKR_CTX_KEY), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(ckr_from_reason(0x34, CKR_CTX_KEY), CKR_MECHANISM_PARAM_INVALID);
    CHECK_RV(ckr_from_reason(0x07, CKR_CTX_KEY), CKR_DATA_LEN_RANGE);
    CHECK_RV(ckr_from_reason(0x02, CKR_CTX_KEY), CKR_DATA_LEN_RANGE);
    CHECK_RV(ckr_from_reason(0x2D, CKR_CTX_OTHER), CKR_ATTRIBUTE_VALUE_INVALID);
    CHECK_RV(ckr_from_reason(0x18, CKR_CTX_OTHER), CKR_ATTRIBUTE_VALUE_INVALID);
    CHECK_RV(ckr_from_reason(0x05, CKR_CTX_OTHER), CKR_FUNCTION_NOT_SUPPORTED);
    CHECK_RV(ckr_from_reason(0x08, CKR_CTX_KEY), CKR_MECHANISM_INVALID);
}

TEST(rate_limit_sealed_and_internal_errors)
{
    CHECK_RV(ckr_from_reason(0x3A, CKR_CTX_KEY), CKR_FUNCTION_FAILED);
    CHECK_RV(ckr_from_reason(0x44, CKR_CTX_KEY), CKR_DEVICE_ERROR);
    CHECK_RV(ckr_from_reason(0x2A, CKR_CTX_KEY), CKR_DEVICE_ERROR);
    CHECK_RV(ckr_from_reason(0x100, CKR_CTX_KEY), CKR_DEVICE_ERROR);
    /* Invalid Message: the codecs disagree, a local bug. */
    CHECK_RV(ckr_from_reason(0x04, CKR_CTX_KEY), CKR_GENERAL_ERROR);
}

TEST(result_mapping_records_the_reason_for_device_error)
{
    struct kmip_result r = {.status = 1, .reason = 0x3A, .message = (const uint8_t *)"retry in 7s",
                            .message_len = 11};
    CK_ULONG device_error = 0;
    CHECK_RV(ckr_from_result(&r, CKR_CTX_KEY, &device_error), CKR_FUNCTION_FAILED);
    CHECK(device_error == 0x3A);
}

TEST(loading_objects_answers_only_what_find_and_get_attribute_value_may_return)
{
    /* Gone, or not to be viewed by this caller: the object's handle is invalid (left out of a
     * search, PKCS#11 §5.7.7). */
    static const uint32_t unseen[] = {0x01, 0x36, 0x37, 0x0C, 0x39};
    for (size_t i = 0; i < sizeof(unseen) / sizeof(unseen[0]); i++)
        CHECK_RV(ckr_from_reason(unseen[i], CKR_CTX_LOAD), CKR_OBJECT_HANDLE_INVALID);
    CHECK_RV(ckr_from_reason(0x44, CKR_CTX_LOAD), CKR_DEVICE_ERROR);
    CHECK_RV(ckr_from_reason(0x04, CKR_CTX_LOAD), CKR_GENERAL_ERROR);
    static const uint32_t failed[] = {0x3A, 0x43, 0x29, 0x1A, 0x03, 0x14, 0x15, 0x07, 0x08, 0x05, 0x2D};
    for (size_t i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
        CHECK_RV(ckr_from_reason(failed[i], CKR_CTX_LOAD), CKR_FUNCTION_FAILED);
}
