/* The one mapping from KMIP result reasons to CK_RV (PKCS11.md §5). */
#include "tresor.h"

#include <stdio.h>

enum {
    R_ITEM_NOT_FOUND = 0x01, R_RESPONSE_TOO_LARGE = 0x02, R_AUTHENTICATION = 0x03,
    R_OPERATION_NOT_SUPPORTED = 0x05, R_INVALID_FIELD = 0x07, R_FEATURE_NOT_SUPPORTED = 0x08,
    R_CRYPTOGRAPHIC_FAILURE = 0x0A, R_PERMISSION_DENIED = 0x0C, R_SENSITIVE = 0x16,
    R_NOT_EXTRACTABLE = 0x17, R_OBJECT_ALREADY_EXISTS = 0x18, R_INVALID_TICKET = 0x1A,
    R_BAD_CRYPTO_PARAMS = 0x24, R_OBJECT_ARCHIVED = 0x29, R_INTERNAL = 0x2A,
    R_INVALID_ATTRIBUTE_VALUE = 0x2D, R_UNSUPPORTED_CRYPTO_PARAM = 0x34, R_DESTROYED = 0x36,
    R_OBJECT_NOT_FOUND = 0x37, R_NOT_AUTHORISED = 0x39, R_SERVER_LIMIT = 0x3A,
    R_INVALID_CRYPTO_PARAMS = 0x3E, R_WRONG_LIFECYCLE_STATE = 0x43, R_SEALED = 0x44,
    R_GENERAL_FAILURE = 0x100
};

/* The codes every function may return for a failure of the token: C_FindObjectsInit (§5.7.7) allows
 * no other, and C_GetAttributeValue (§5.7.5) no other of those a failed round trip gives. */
static CK_RV generic(CK_RV rv)
{
    return rv == CKR_DEVICE_ERROR || rv == CKR_GENERAL_ERROR || rv == CKR_HOST_MEMORY ? rv
                                                                                      : CKR_FUNCTION_FAILED;
}

/* Loading objects is part of C_FindObjectsInit, of C_GetAttributeValue (a refresh) and of the key
 * generation calls, so it answers only codes PKCS#11 v2.40/3.0 §5.7.5 and §5.7.7 allow there. A
 * search "will only find objects that the session can view" (§5.7.7): an object the server will not
 * show this caller is, for PKCS#11, as good as gone. */
static CK_RV load_reason(uint32_t reason)
{
    switch (reason) {
    case R_ITEM_NOT_FOUND: case R_OBJECT_NOT_FOUND: case R_DESTROYED: case R_PERMISSION_DENIED:
    case R_NOT_AUTHORISED:
        return CKR_OBJECT_HANDLE_INVALID;
    default:
        return generic(ckr_from_reason(reason, CKR_CTX_OTHER));
    }
}

/* A refusal of what this caller may do at all (its role, its ticket, an archived object): for the
 * functions that write to the token, a token this caller cannot write to. */
static int write_refused(uint32_t reason)
{
    return reason == R_PERMISSION_DENIED || reason == R_NOT_AUTHORISED || reason == R_OBJECT_ARCHIVED ||
           reason == R_INVALID_TICKET;
}

/* C_GenerateKey and C_GenerateKeyPair (PKCS#11 v2.40 §5.14, v3.0 §5.18) may not return
 * CKR_KEY_FUNCTION_NOT_PERMITTED, CKR_OBJECT_HANDLE_INVALID or CKR_DATA_LEN_RANGE: a role that may
 * not create keys is a token this caller cannot write to; a refusal their lists have no code for
 * fails the call, its reason kept in ulDeviceError. */
static CK_RV generate_reason(uint32_t reason)
{
    if (write_refused(reason))
        return CKR_TOKEN_WRITE_PROTECTED;
    CK_RV rv = ckr_from_reason(reason, CKR_CTX_OTHER);
    return rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_ATTRIBUTE_VALUE_INVALID || rv == CKR_MECHANISM_INVALID ||
                   rv == CKR_MECHANISM_PARAM_INVALID
               ? rv
               : generic(rv);
}

/* C_DestroyObject (PKCS#11 v2.40 and v3.0 §5.7.3) may not return CKR_KEY_FUNCTION_NOT_PERMITTED nor
 * CKR_USER_NOT_LOGGED_IN: a role that may not destroy keys is a token this caller cannot write to,
 * a gone object an invalid handle; anything else fails the call, its reason kept in ulDeviceError.
 * The call sends Revoke + Destroy, and Revoke refuses for its state only an object already
 * destroyed (by another client): that one is gone too, not to be destroyed again on every retry. */
static CK_RV destroy_reason(uint32_t reason)
{
    if (write_refused(reason))
        return CKR_TOKEN_WRITE_PROTECTED;
    if (reason == R_WRONG_LIFECYCLE_STATE)
        return CKR_OBJECT_HANDLE_INVALID;
    CK_RV rv = ckr_from_reason(reason, CKR_CTX_OTHER);
    return rv == CKR_OBJECT_HANDLE_INVALID ? rv : generic(rv);
}

/* C_GenerateRandom (PKCS#11 v2.40 §5.15.2, v3.0 §5.19.2) may not return
 * CKR_KEY_FUNCTION_NOT_PERMITTED: a role that may not draw random bytes (an auditor) fails the call,
 * its reason kept in ulDeviceError (CKR_RANDOM_NO_RNG would deny the token's CKF_RNG). */
static CK_RV random_reason(uint32_t reason)
{
    CK_RV rv = ckr_from_reason(reason, CKR_CTX_OTHER);
    return rv == CKR_USER_NOT_LOGGED_IN ? rv : generic(rv);
}

CK_RV ckr_for_attribute_read(CK_RV fetched)
{
    switch (fetched) {
    case CKR_OK:
        return CKR_OK;
    case CKR_KEY_HANDLE_INVALID:
        return CKR_ATTRIBUTE_TYPE_INVALID;
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
        return CKR_ATTRIBUTE_SENSITIVE;
    default:
        return generic(fetched);
    }
}

CK_RV ckr_from_reason(uint32_t reason, enum ckr_context ctx)
{
    if (ctx == CKR_CTX_LOAD)
        return load_reason(reason);
    if (ctx == CKR_CTX_FIND)
        return generic(ckr_from_reason(reason, CKR_CTX_OTHER));
    if (ctx == CKR_CTX_GENERATE)
        return generate_reason(reason);
    if (ctx == CKR_CTX_DESTROY)
        return destroy_reason(reason);
    if (ctx == CKR_CTX_RANDOM)
        return random_reason(reason);
    switch (reason) {
    case R_ITEM_NOT_FOUND: case R_OBJECT_NOT_FOUND: case R_DESTROYED:
        switch (ctx) {
        case CKR_CTX_KEY: case CKR_CTX_DECRYPT: return CKR_KEY_HANDLE_INVALID;
        case CKR_CTX_WRAP: return CKR_WRAPPING_KEY_HANDLE_INVALID;
        case CKR_CTX_UNWRAP: return CKR_UNWRAPPING_KEY_HANDLE_INVALID;
        default: return CKR_OBJECT_HANDLE_INVALID;
        }
    case R_WRONG_LIFECYCLE_STATE: case R_PERMISSION_DENIED: case R_NOT_AUTHORISED:
    case R_OBJECT_ARCHIVED: case R_INVALID_TICKET:
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    case R_AUTHENTICATION:
        return ctx == CKR_CTX_LOGIN ? CKR_PIN_INCORRECT : CKR_USER_NOT_LOGGED_IN;
    case KMIP_REASON_ATTESTATION_REQUIRED: case KMIP_REASON_ATTESTATION_FAILED:
        return CKR_FUNCTION_REJECTED;
    case R_SENSITIVE:
        return CKR_ATTRIBUTE_SENSITIVE;
    case R_NOT_EXTRACTABLE:
        return CKR_KEY_UNEXTRACTABLE;
    case R_CRYPTOGRAPHIC_FAILURE:
        if (ctx == CKR_CTX_DECRYPT)
            return CKR_ENCRYPTED_DATA_INVALID;
        return ctx == CKR_CTX_UNWRAP ? CKR_WRAPPED_KEY_INVALID : CKR_FUNCTION_FAILED;
    case R_BAD_CRYPTO_PARAMS: case R_INVALID_CRYPTO_PARAMS: case R_UNSUPPORTED_CRYPTO_PARAM:
        return CKR_MECHANISM_PARAM_INVALID;
    case R_INVALID_FIELD: case R_RESPONSE_TOO_LARGE:
        return CKR_DATA_LEN_RANGE;
    case R_INVALID_ATTRIBUTE_VALUE: case R_OBJECT_ALREADY_EXISTS:
        return CKR_ATTRIBUTE_VALUE_INVALID;
    case R_OPERATION_NOT_SUPPORTED:
        return CKR_FUNCTION_NOT_SUPPORTED;
    case R_FEATURE_NOT_SUPPORTED:
        return CKR_MECHANISM_INVALID;
    case R_SERVER_LIMIT:
        return CKR_FUNCTION_FAILED;
    case R_SEALED: case R_INTERNAL: case R_GENERAL_FAILURE:
        return CKR_DEVICE_ERROR;
    default:
        /* Invalid Message, Missing Data and the like: the two sides disagree on the codec. */
        return CKR_GENERAL_ERROR;
    }
}

CK_RV ckr_from_result(const struct kmip_result *r, enum ckr_context ctx, CK_ULONG *device_error)
{
    if (device_error)
        *device_error = r->reason;
    if (r->reason == R_SERVER_LIMIT)
        fprintf(stderr, "tresor-pkcs11: rate limit reached: %.*s\n", (int)r->message_len,
                r->message ? (const char *)r->message : "no retry time given");
    return ckr_from_reason(r->reason, ctx);
}
