/* Library life cycle, interfaces, slots, tokens and mechanisms. */
#include "tresor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONF "/etc/tresor/pkcs11.conf"

struct library *g_lib;
static pthread_rwlock_t g_rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t g_init_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_atfork_once = PTHREAD_ONCE_INIT;
static volatile int g_forked;

/* The child only records the fork and resets the locks it may have inherited held; its next
 * C_Initialize drops the parent's state (PKCS11.md §6). */
static void atfork_child(void)
{
    g_forked = 1;
    g_rw = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
    g_init_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
}

static void register_atfork(void) { pthread_atfork(NULL, NULL, atfork_child); }

CK_RV lib_enter(void)
{
    pthread_rwlock_rdlock(&g_rw);
    if (!g_lib || g_forked) {
        pthread_rwlock_unlock(&g_rw);
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    return CKR_OK;
}

void lib_leave(void) { pthread_rwlock_unlock(&g_rw); }

struct slot *lib_slot(CK_SLOT_ID id) { return id < g_lib->nslots ? &g_lib->slots[id] : NULL; }

static void abandon_after_fork(void)
{
    struct library *old = g_lib;
    g_lib = NULL;
    g_forked = 0;
    if (!old)
        return;
    sessions_clear();
    objects_clear(1);
    for (size_t i = 0; i < old->nslots; i++)
        pool_abandon(&old->slots[i].pool);
    conf_free(&old->conf);
    free(old);
}

static CK_RV check_init_args(const CK_C_INITIALIZE_ARGS *a)
{
    int callbacks = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) +
                    (a->LockMutex != NULL) + (a->UnlockMutex != NULL);
    if (callbacks != 0 && callbacks != 4)
        return CKR_ARGUMENTS_BAD;
    if (callbacks == 4 && !(a->flags & CKF_OS_LOCKING_OK))
        return CKR_CANT_LOCK;
    return CKR_OK;
}

static CK_RV load_library(const char *path, struct library **out)
{
    struct library *lib = calloc(1, sizeof(*lib));
    if (!lib)
        return CKR_HOST_MEMORY;
    char err[400];
    if (!conf_load(path, &lib->conf, err, sizeof(err))) {
        fprintf(stderr, "tresor-pkcs11: configuration error: %s\n", err);
        free(lib);
        return CKR_GENERAL_ERROR;
    }
    attest_resolve(&lib->conf);
    for (size_t i = 0; i < lib->conf.ntokens; i++) {
        struct slot *s = &lib->slots[i];
        s->id = i;
        s->token = &lib->conf.tokens[i];
        s->conf = &lib->conf;
        s->exchange = kmip_exchange;
        if (!pool_init(&s->pool, &lib->conf, s->token, err, sizeof(err))) {
            fprintf(stderr, "tresor-pkcs11: configuration error in %s (token %s): %s\n", path,
                    s->token->label, err);
            for (size_t j = 0; j < i; j++)
                pool_destroy(&lib->slots[j].pool);
            conf_free(&lib->conf);
            free(lib);
            return CKR_GENERAL_ERROR;
        }
        lib->nslots++;
    }
    *out = lib;
    return CKR_OK;
}

CK_RV C_Initialize(void *pInitArgs)
{
    const CK_C_INITIALIZE_ARGS *args = pInitArgs;
    const char *path = NULL;
    if (args) {
        CK_RV rv = check_init_args(args);
        if (rv != CKR_OK)
            return rv;
        path = args->pReserved;
    }
    if (!path)
        path = getenv("TRESOR_PKCS11_CONF");
    if (!path || !*path)
        path = DEFAULT_CONF;
    pthread_once(&g_atfork_once, register_atfork);
    pthread_mutex_lock(&g_init_mu);
    if (g_forked)
        abandon_after_fork();
    CK_RV rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (!g_lib) {
        struct library *lib = NULL;
        rv = load_library(path, &lib);
        if (rv == CKR_OK) {
            objects_init();
            sessions_init();
            pthread_rwlock_wrlock(&g_rw);
            g_lib = lib;
            pthread_rwlock_unlock(&g_rw);
        }
    }
    pthread_mutex_unlock(&g_init_mu);
    return rv;
}

CK_RV C_Finalize(void *pReserved)
{
    if (pReserved)
        return CKR_ARGUMENTS_BAD;
    pthread_mutex_lock(&g_init_mu);
    pthread_rwlock_wrlock(&g_rw);
    struct library *lib = g_forked ? NULL : g_lib;
    if (lib) {
        sessions_clear();
        objects_clear(0);
        for (size_t i = 0; i < lib->nslots; i++)
            pool_destroy(&lib->slots[i].pool);
        conf_free(&lib->conf);
        free(lib);
        g_lib = NULL;
    }
    pthread_rwlock_unlock(&g_rw);
    pthread_mutex_unlock(&g_init_mu);
    return lib ? CKR_OK : CKR_CRYPTOKI_NOT_INITIALIZED;
}

CK_RV C_GetInfo(CK_INFO *pInfo)
{
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    if (!pInfo) {
        lib_leave();
        return CKR_ARGUMENTS_BAD;
    }
    memset(pInfo, 0, sizeof(*pInfo));
    pInfo->cryptokiVersion = (CK_VERSION){3, 0};
    pad_copy(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "Tresor");
    pad_copy(pInfo->libraryDescription, sizeof(pInfo->libraryDescription),
             "Tresor KMS PKCS#11 (KMIP client)");
    pInfo->libraryVersion = (CK_VERSION){0, 1};
    lib_leave();
    return CKR_OK;
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
    (void)tokenPresent;
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    if (!pulCount) {
        rv = CKR_ARGUMENTS_BAD;
    } else if (pSlotList && *pulCount < g_lib->nslots) {
        rv = CKR_BUFFER_TOO_SMALL;
    } else if (pSlotList) {
        for (size_t i = 0; i < g_lib->nslots; i++)
            pSlotList[i] = i;
    }
    if (pulCount)
        *pulCount = g_lib->nslots;
    lib_leave();
    return rv;
}

/* lib_enter plus a valid slot and a non-NULL output argument. */
static CK_RV slot_enter(CK_SLOT_ID id, const void *out, struct slot **s)
{
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    *s = lib_slot(id);
    rv = !*s ? CKR_SLOT_ID_INVALID : !out ? CKR_ARGUMENTS_BAD : CKR_OK;
    if (rv != CKR_OK)
        lib_leave();
    return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO *pInfo)
{
    struct slot *s;
    CK_RV rv = slot_enter(slotID, pInfo, &s);
    if (rv != CKR_OK)
        return rv;
    memset(pInfo, 0, sizeof(*pInfo));
    char desc[300];
    snprintf(desc, sizeof(desc), "Tresor %s:%s", s->conf->host, s->conf->port);
    pad_copy(pInfo->slotDescription, sizeof(pInfo->slotDescription), desc);
    pad_copy(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "Tresor");
    pInfo->flags = CKF_TOKEN_PRESENT;
    lib_leave();
    return CKR_OK;
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO *pInfo)
{
    struct slot *s;
    CK_RV rv = slot_enter(slotID, pInfo, &s);
    if (rv != CKR_OK)
        return rv;
    memset(pInfo, 0, sizeof(*pInfo));
    pad_copy(pInfo->label, sizeof(pInfo->label), s->token->label);
    pad_copy(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "Tresor");
    pad_copy(pInfo->model, sizeof(pInfo->model), "Tresor KMS");
    pad_copy(pInfo->serialNumber, sizeof(pInfo->serialNumber), s->token->project);
    pInfo->flags = CKF_RNG | CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED;
    pInfo->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    pInfo->ulSessionCount = CK_UNAVAILABLE_INFORMATION;
    pInfo->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
    pInfo->ulRwSessionCount = CK_UNAVAILABLE_INFORMATION;
    pInfo->ulMaxPinLen = 255;
    pInfo->ulMinPinLen = 0;
    pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    pInfo->hardwareVersion = (CK_VERSION){0, 1};
    pInfo->firmwareVersion = (CK_VERSION){0, 1};
    memset(pInfo->utcTime, ' ', sizeof(pInfo->utcTime));
    lib_leave();
    return CKR_OK;
}

#define EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)
static const struct {
    CK_MECHANISM_TYPE type;
    CK_MECHANISM_INFO info;
} MECHANISMS[] = {
    {CKM_AES_KEY_GEN, {16, 32, CKF_GENERATE}},
    {CKM_GENERIC_SECRET_KEY_GEN, {8, 512, CKF_GENERATE}},
    {CKM_RSA_PKCS_KEY_PAIR_GEN, {2048, 4096, CKF_GENERATE_KEY_PAIR}},
    {CKM_EC_KEY_PAIR_GEN, {256, 521, CKF_GENERATE_KEY_PAIR | EC_FLAGS}},
    {CKM_AES_GCM, {16, 32, CKF_ENCRYPT | CKF_DECRYPT}},
    {CKM_TRESOR_AES_GCM, {32, 32, CKF_ENCRYPT | CKF_DECRYPT}}, /* the format is AES-256-GCM */
    {CKM_AES_KEY_WRAP, {16, 32, CKF_WRAP | CKF_UNWRAP}},
    {CKM_AES_KEY_WRAP_PAD, {16, 32, CKF_WRAP | CKF_UNWRAP}},
    {CKM_AES_KEY_WRAP_KWP, {16, 32, CKF_WRAP | CKF_UNWRAP}},
    {CKM_RSA_PKCS_OAEP, {2048, 4096, CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP}},
    {CKM_RSA_PKCS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_SHA256_RSA_PKCS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_SHA384_RSA_PKCS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_SHA512_RSA_PKCS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_RSA_PKCS_PSS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_SHA256_RSA_PKCS_PSS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_SHA384_RSA_PKCS_PSS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_SHA512_RSA_PKCS_PSS, {2048, 4096, CKF_SIGN | CKF_VERIFY}},
    {CKM_ECDSA, {256, 521, CKF_SIGN | CKF_VERIFY | EC_FLAGS}},
    {CKM_ECDSA_SHA256, {256, 521, CKF_SIGN | CKF_VERIFY | EC_FLAGS}},
    {CKM_ECDSA_SHA384, {256, 521, CKF_SIGN | CKF_VERIFY | EC_FLAGS}},
    {CKM_ECDSA_SHA512, {256, 521, CKF_SIGN | CKF_VERIFY | EC_FLAGS}},
};
#define N_MECHANISMS (sizeof(MECHANISMS) / sizeof(MECHANISMS[0]))

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,
                         CK_ULONG_PTR pulCount)
{
    struct slot *s;
    CK_RV rv = slot_enter(slotID, pulCount, &s);
    if (rv != CKR_OK)
        return rv;
    if (pMechanismList && *pulCount < N_MECHANISMS)
        rv = CKR_BUFFER_TOO_SMALL;
    else if (pMechanismList)
        for (size_t i = 0; i < N_MECHANISMS; i++)
            pMechanismList[i] = MECHANISMS[i].type;
    *pulCount = N_MECHANISMS;
    lib_leave();
    return rv;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *pInfo)
{
    struct slot *s;
    CK_RV rv = slot_enter(slotID, pInfo, &s);
    if (rv != CKR_OK)
        return rv;
    rv = CKR_MECHANISM_INVALID;
    for (size_t i = 0; i < N_MECHANISMS; i++)
        if (MECHANISMS[i].type == type) {
            *pInfo = MECHANISMS[i].info;
            rv = CKR_OK;
        }
    lib_leave();
    return rv;
}

/* Functions this library does not offer (PKCS11.md §2: digest, derive, recover, dual,
 * operation state, seed, message-based APIs, token initialisation). */
#define NOT_SUPPORTED(name, params) \
    CK_RV name params { return CKR_FUNCTION_NOT_SUPPORTED; }
NOT_SUPPORTED(C_InitToken, (CK_SLOT_ID a, CK_UTF8CHAR_PTR b, CK_ULONG c, CK_UTF8CHAR_PTR d))
NOT_SUPPORTED(C_InitPIN, (CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c))
NOT_SUPPORTED(C_SetPIN, (CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c, CK_UTF8CHAR_PTR d, CK_ULONG e))
NOT_SUPPORTED(C_GetOperationState, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_SetOperationState, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_OBJECT_HANDLE d, CK_OBJECT_HANDLE e))
NOT_SUPPORTED(C_CreateObject, (CK_SESSION_HANDLE a, CK_ATTRIBUTE_PTR b, CK_ULONG c, CK_OBJECT_HANDLE_PTR d))
NOT_SUPPORTED(C_GetObjectSize, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_DigestInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b))
NOT_SUPPORTED(C_Digest, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DigestUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c))
NOT_SUPPORTED(C_DigestKey, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b))
NOT_SUPPORTED(C_DigestFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_SignRecoverInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_SignRecover, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_VerifyRecoverInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_VerifyRecover, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DigestEncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DecryptDigestUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_SignEncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DecryptVerifyUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DeriveKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c, CK_ATTRIBUTE_PTR d, CK_ULONG e, CK_OBJECT_HANDLE_PTR f))
NOT_SUPPORTED(C_GetFunctionStatus, (CK_SESSION_HANDLE a))
NOT_SUPPORTED(C_CancelFunction, (CK_SESSION_HANDLE a))
NOT_SUPPORTED(C_WaitForSlotEvent, (CK_FLAGS a, CK_SLOT_ID_PTR b, void *c))
NOT_SUPPORTED(C_LoginUser, (CK_SESSION_HANDLE a, CK_USER_TYPE b, CK_UTF8CHAR_PTR c, CK_ULONG d, CK_UTF8CHAR_PTR e, CK_ULONG f))
NOT_SUPPORTED(C_MessageEncryptInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_EncryptMessage, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG g, CK_BYTE_PTR h, CK_ULONG_PTR i))
NOT_SUPPORTED(C_EncryptMessageBegin, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e))
NOT_SUPPORTED(C_EncryptMessageNext, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG_PTR g, CK_FLAGS h))
NOT_SUPPORTED(C_MessageEncryptFinal, (CK_SESSION_HANDLE a))
NOT_SUPPORTED(C_MessageDecryptInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_DecryptMessage, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG g, CK_BYTE_PTR h, CK_ULONG_PTR i))
NOT_SUPPORTED(C_DecryptMessageBegin, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e))
NOT_SUPPORTED(C_DecryptMessageNext, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG_PTR g, CK_FLAGS h))
NOT_SUPPORTED(C_MessageDecryptFinal, (CK_SESSION_HANDLE a))
NOT_SUPPORTED(C_MessageSignInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_SignMessage, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG_PTR g))
NOT_SUPPORTED(C_SignMessageBegin, (CK_SESSION_HANDLE a, void *b, CK_ULONG c))
NOT_SUPPORTED(C_SignMessageNext, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG_PTR g))
NOT_SUPPORTED(C_MessageSignFinal, (CK_SESSION_HANDLE a))
NOT_SUPPORTED(C_MessageVerifyInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_VerifyMessage, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG g))
NOT_SUPPORTED(C_VerifyMessageBegin, (CK_SESSION_HANDLE a, void *b, CK_ULONG c))
NOT_SUPPORTED(C_VerifyMessageNext, (CK_SESSION_HANDLE a, void *b, CK_ULONG c, CK_BYTE_PTR d, CK_ULONG e, CK_BYTE_PTR f, CK_ULONG g))
NOT_SUPPORTED(C_MessageVerifyFinal, (CK_SESSION_HANDLE a))

#define TRESOR_FN_ENTRY(name, params) name,
static CK_FUNCTION_LIST FUNCTIONS_240 = {{2, 40}, TRESOR_FUNCTIONS_240(TRESOR_FN_ENTRY)};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static CK_FUNCTION_LIST_3_0 FUNCTIONS_30 = {
    {3, 0}, TRESOR_FUNCTIONS_240(TRESOR_FN_ENTRY) TRESOR_FUNCTIONS_30(TRESOR_FN_ENTRY)
    .C_Decrypt = C_Decrypt_v30, .C_DecryptFinal = C_DecryptFinal_v30};
#pragma GCC diagnostic pop

static CK_CHAR INTERFACE_NAME[] = "PKCS 11";
static CK_INTERFACE INTERFACES[] = {
    {INTERFACE_NAME, &FUNCTIONS_30, 0},
    {INTERFACE_NAME, &FUNCTIONS_240, 0},
};
#define N_INTERFACES (sizeof(INTERFACES) / sizeof(INTERFACES[0]))

TRESOR_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST **ppFunctionList)
{
    if (!ppFunctionList)
        return CKR_ARGUMENTS_BAD;
    *ppFunctionList = &FUNCTIONS_240;
    return CKR_OK;
}

TRESOR_EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE *pInterfacesList, CK_ULONG_PTR pulCount)
{
    if (!pulCount)
        return CKR_ARGUMENTS_BAD;
    if (pInterfacesList) {
        if (*pulCount < N_INTERFACES) {
            *pulCount = N_INTERFACES;
            return CKR_BUFFER_TOO_SMALL;
        }
        memcpy(pInterfacesList, INTERFACES, sizeof(INTERFACES));
    }
    *pulCount = N_INTERFACES;
    return CKR_OK;
}

TRESOR_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION *pVersion,
                                   CK_INTERFACE **ppInterface, CK_FLAGS flags)
{
    if (!ppInterface)
        return CKR_ARGUMENTS_BAD;
    if (pInterfaceName && strcmp((const char *)pInterfaceName, (const char *)INTERFACE_NAME))
        return CKR_ARGUMENTS_BAD;
    for (size_t i = 0; i < N_INTERFACES; i++) {
        const CK_VERSION *v = INTERFACES[i].pFunctionList;
        if ((pVersion && (v->major != pVersion->major || v->minor != pVersion->minor)) ||
            (INTERFACES[i].flags & flags) != flags)
            continue;
        *ppInterface = &INTERFACES[i];
        return CKR_OK;
    }
    return CKR_ARGUMENTS_BAD;
}
