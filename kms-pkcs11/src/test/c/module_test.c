/* The library through its PKCS#11 entry points, with a configured but unreachable server:
 * everything that needs no KMIP round trip, and how the library fails when one is needed. */
#include "canned.h"
#include "test.h"
#include "tresor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_dir[64];
static char g_conf[128];

static void write_self_signed(const char *cert_path, const char *key_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"tresor-test", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_sign(x, key, EVP_sha256());
    FILE *f = fopen(cert_path, "w");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key_path, "w");
    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
}

/* A loopback port nobody listens on: connecting is refused at once. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static const char *config_path(void)
{
    if (g_conf[0])
        return g_conf;
    snprintf(g_dir, sizeof(g_dir), "/tmp/tresor-p11-XXXXXX");
    if (!mkdtemp(g_dir))
        return NULL;
    char cert[128], key[128];
    snprintf(cert, sizeof(cert), "%s/client.pem", g_dir);
    snprintf(key, sizeof(key), "%s/client.key", g_dir);
    write_self_signed(cert, key);
    snprintf(g_conf, sizeof(g_conf), "%s/pkcs11.conf", g_dir);
    FILE *f = fopen(g_conf, "w");
    fprintf(f, "server = 127.0.0.1:%d\nca = %s\ncert = %s\nkey = %s\nattestation = off\n"
               "connect_timeout_ms = 1000\n[token dev]\nproject = project-1\n[token second]\n"
               "project = project-2\n", closed_port(), cert, cert, key);
    fclose(f);
    return g_conf;
}

static CK_RV init(void)
{
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK, .pReserved = (void *)config_path()};
    return C_Initialize(&args);
}

static CK_SESSION_HANDLE open_session(void)
{
    CK_SESSION_HANDLE h = 0;
    CHECK_RV(C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
    return h;
}

static CK_RV dummy_mutex(void *m) { return CKR_OK; }
static CK_RV dummy_create(void **m) { return CKR_OK; }

TEST(initialize_checks_locking_arguments)
{
    CK_C_INITIALIZE_ARGS partial = {.CreateMutex = dummy_create, .flags = CKF_OS_LOCKING_OK};
    CHECK_RV(C_Initialize(&partial), CKR_ARGUMENTS_BAD);
    CK_C_INITIALIZE_ARGS no_os = {dummy_create, dummy_mutex, dummy_mutex, dummy_mutex, 0,
                                  (void *)config_path()};
    CHECK_RV(C_Initialize(&no_os), CKR_CANT_LOCK);
    CK_C_INITIALIZE_ARGS with_os = no_os;
    with_os.flags = CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS;
    CHECK_RV(C_Initialize(&with_os), CKR_OK);
    CHECK_RV(C_Initialize(&with_os), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    CHECK_RV(C_Finalize((void *)1), CKR_ARGUMENTS_BAD);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
    CHECK_RV(C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}

TEST(missing_configuration_is_a_general_error_and_leaves_the_library_uninitialised)
{
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK, .pReserved = "/nonexistent.conf"};
    CHECK_RV(C_Initialize(&args), CKR_GENERAL_ERROR);
    CK_INFO info;
    CHECK_RV(C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    setenv("TRESOR_PKCS11_CONF", config_path(), 1);
    CHECK_RV(C_Initialize(NULL), CKR_OK);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
    unsetenv("TRESOR_PKCS11_CONF");
}

TEST(slots_tokens_and_mechanisms_follow_the_two_call_convention)
{
    CHECK_RV(init(), CKR_OK);
    CK_ULONG n = 0;
    CK_SLOT_ID slots[2];
    CHECK_RV(C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    CHECK(n == 2);
    n = 1;
    CHECK_RV(C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
    CHECK(n == 2);
    CHECK_RV(C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    CHECK(slots[0] == 0 && slots[1] == 1);
    CK_TOKEN_INFO t;
    CHECK_RV(C_GetTokenInfo(1, &t), CKR_OK);
    CHECK(!memcmp(t.label, "second ", 7) && !memcmp(t.serialNumber, "project-2", 9));
    CHECK(t.flags == (CKF_RNG | CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED));
    CHECK(t.ulMaxSessionCount == CK_EFFECTIVELY_INFINITE);
    CHECK_RV(C_GetTokenInfo(2, &t), CKR_SLOT_ID_INVALID);
    CHECK_RV(C_GetTokenInfo(0, NULL), CKR_ARGUMENTS_BAD);
    CK_ULONG count = 0;
    CHECK_RV(C_GetMechanismList(0, NULL, &count), CKR_OK);
    CK_MECHANISM_TYPE mechs[64];
    CHECK(count > 10 && count <= 64);
    CHECK_RV(C_GetMechanismList(0, mechs, &count), CKR_OK);
    int has_gcm = 0, has_vendor = 0;
    for (CK_ULONG i = 0; i < count; i++) {
        has_gcm |= mechs[i] == CKM_AES_GCM;
        has_vendor |= mechs[i] == CKM_TRESOR_AES_GCM;
        CK_MECHANISM_INFO info;
        CHECK_RV(C_GetMechanismInfo(0, mechs[i], &info), CKR_OK);
        /* SunPKCS11 drops mechanisms that decrypt without encrypting or verify without signing. */
        CHECK(!(info.flags & CKF_DECRYPT) == !(info.flags & CKF_ENCRYPT));
        CHECK(!(info.flags & CKF_VERIFY) == !(info.flags & CKF_SIGN));
    }
    CHECK(has_gcm && has_vendor);
    CK_MECHANISM_INFO info;
    CHECK_RV(C_GetMechanismInfo(0, CKM_SHA256, &info), CKR_MECHANISM_INVALID);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

TEST(interfaces_offer_3_0_and_2_40_and_never_fork_safe)
{
    CK_INTERFACE *itf = NULL;
    CHECK_RV(C_GetInterface(NULL, NULL, &itf, 0), CKR_OK);
    CHECK(itf && ((CK_VERSION *)itf->pFunctionList)->major == 3);
    CK_VERSION v240 = {2, 40};
    CHECK_RV(C_GetInterface((CK_UTF8CHAR_PTR) "PKCS 11", &v240, &itf, 0), CKR_OK);
    CK_FUNCTION_LIST *list = NULL;
    CHECK_RV(C_GetFunctionList(&list), CKR_OK);
    CHECK(itf->pFunctionList == list);
    CHECK_RV(C_GetInterface(NULL, NULL, &itf, 1 /* CKF_INTERFACE_FORK_SAFE */), CKR_ARGUMENTS_BAD);
    CHECK_RV(C_GetInterface((CK_UTF8CHAR_PTR) "Vendor", NULL, &itf, 0), CKR_ARGUMENTS_BAD);
    CK_ULONG n = 0;
    CK_INTERFACE all[2];
    CHECK_RV(C_GetInterfaceList(NULL, &n), CKR_OK);
    CHECK(n == 2);
    n = 1;
    CHECK_RV(C_GetInterfaceList(all, &n), CKR_BUFFER_TOO_SMALL);
    CHECK_RV(C_GetInterfaceList(all, &n), CKR_OK);
    CHECK(list->C_Encrypt == C_Encrypt && list->C_WaitForSlotEvent != NULL);
    /* Only the 3.0 list reports a failed AEAD tag as CKR_AEAD_DECRYPT_FAILED. */
    CHECK_RV(C_GetInterface(NULL, NULL, &itf, 0), CKR_OK);
    CK_FUNCTION_LIST_3_0 *list30 = itf->pFunctionList;
    CHECK(list->C_Decrypt == C_Decrypt && list30->C_Decrypt == C_Decrypt_v30);
    CHECK(list30->C_DecryptFinal == C_DecryptFinal_v30 && list30->C_Encrypt == C_Encrypt);
    CHECK_RV(list->C_DigestInit(1, NULL), CKR_FUNCTION_NOT_SUPPORTED);
}

TEST(sessions_and_login_accept_any_user_pin_and_lock_the_so)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = 0;
    CHECK_RV(C_OpenSession(0, 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    CHECK_RV(C_OpenSession(5, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_SLOT_ID_INVALID);
    h = open_session();
    CK_SESSION_INFO info;
    CHECK_RV(C_GetSessionInfo(h, &info), CKR_OK);
    CHECK(info.state == CKS_RW_PUBLIC_SESSION && info.slotID == 0 && info.ulDeviceError == 0);
    CHECK_RV(C_Login(h, CKU_SO, (CK_UTF8CHAR_PTR) "x", 1), CKR_PIN_LOCKED);
    CHECK_RV(C_Login(h, CKU_USER, NULL, 0), CKR_OK);
    CHECK_RV(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "1234", 4), CKR_USER_ALREADY_LOGGED_IN);
    CHECK_RV(C_GetSessionInfo(h, &info), CKR_OK);
    CHECK(info.state == CKS_RW_USER_FUNCTIONS);
    CHECK_RV(C_Logout(h), CKR_OK);
    CHECK_RV(C_Logout(h), CKR_USER_NOT_LOGGED_IN);
    CHECK_RV(C_CloseSession(h), CKR_OK);
    CHECK_RV(C_CloseSession(h), CKR_SESSION_HANDLE_INVALID);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

static CK_OBJECT_HANDLE session_key(CK_SESSION_HANDLE h, CK_ULONG len, CK_BBOOL sensitive,
                                    const char *id)
{
    CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
    CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof(len)},
                        {CKA_TOKEN, &no, 1},
                        {CKA_EXTRACTABLE, &yes, 1},
                        {CKA_SENSITIVE, &sensitive, 1},
                        {CKA_ID, (void *)id, strlen(id)}};
    CK_MECHANISM m = {CKM_GENERIC_SECRET_KEY_GEN, NULL, 0};
    CK_OBJECT_HANDLE k = 0;
    CHECK_RV(C_GenerateKey(h, &m, t, 5, &k), CKR_OK);
    return k;
}

TEST(session_keys_live_in_the_library_and_die_with_their_session)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session(), other = open_session();
    CK_OBJECT_HANDLE dek = session_key(h, 64, CK_FALSE, "volume-1");
    CK_OBJECT_HANDLE secret = session_key(h, 32, CK_TRUE, "volume-2");
    CK_BYTE value[64], value2[64];
    CK_ULONG len = 0;
    CK_BBOOL token = 1, local = 0;
    CK_ATTRIBUTE read[] = {{CKA_VALUE, value, sizeof(value)},
                           {CKA_VALUE_LEN, &len, sizeof(len)},
                           {CKA_TOKEN, &token, 1},
                           {CKA_LOCAL, &local, 1}};
    CHECK_RV(C_GetAttributeValue(h, dek, read, 4), CKR_OK);
    CHECK(read[0].ulValueLen == 64 && len == 64 && token == 0 && local == 1);
    memcpy(value2, value, 64);
    CHECK_RV(C_GetAttributeValue(h, dek, read, 1), CKR_OK);
    CHECK(!memcmp(value, value2, 64));
    CK_ATTRIBUTE sensitive[] = {{CKA_VALUE, value, sizeof(value)}, {CKA_VALUE_LEN, &len, sizeof(len)}};
    CHECK_RV(C_GetAttributeValue(h, secret, sensitive, 2), CKR_ATTRIBUTE_SENSITIVE);
    CHECK(sensitive[0].ulValueLen == CK_UNAVAILABLE_INFORMATION && len == 32);
    CK_ATTRIBUTE small[] = {{CKA_VALUE, value, 10}};
    CHECK_RV(C_GetAttributeValue(h, dek, small, 1), CKR_BUFFER_TOO_SMALL);
    CK_ATTRIBUTE unknown[] = {{CKA_MODULUS, value, sizeof(value)}};
    CHECK_RV(C_GetAttributeValue(h, dek, unknown, 1), CKR_ATTRIBUTE_TYPE_INVALID);
    /* Other sessions of the application may use them. */
    CHECK_RV(C_GetAttributeValue(other, dek, read, 1), CKR_OK);

    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE find[] = {{CKA_TOKEN, &no, 1}, {CKA_ID, "volume-2", 8}};
    CK_OBJECT_HANDLE found[4];
    CK_ULONG n = 0;
    CHECK_RV(C_FindObjectsInit(h, find, 2), CKR_OK);
    CHECK_RV(C_FindObjectsInit(h, find, 2), CKR_OPERATION_ACTIVE);
    CHECK_RV(C_FindObjects(h, found, 4, &n), CKR_OK);
    CHECK(n == 1 && found[0] == secret);
    CHECK_RV(C_FindObjectsFinal(h), CKR_OK);
    CHECK_RV(C_FindObjects(h, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
    /* C_SessionCancel (3.0) ends the operation its flags name, and only that one. */
    CHECK_RV(C_FindObjectsInit(h, find, 2), CKR_OK);
    CHECK_RV(C_SessionCancel(h, CKF_ENCRYPT | CKF_SIGN), CKR_OK);
    CHECK_RV(C_FindObjectsInit(h, find, 2), CKR_OPERATION_ACTIVE);
    CHECK_RV(C_SessionCancel(h, CKF_FIND_OBJECTS), CKR_OK);
    CHECK_RV(C_FindObjects(h, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);
    CHECK_RV(C_FindObjectsInit(h, find, 2), CKR_OK);
    CHECK_RV(C_FindObjectsFinal(h), CKR_OK);
    CHECK_RV(C_SessionCancel(0, CKF_ENCRYPT), CKR_SESSION_HANDLE_INVALID);

    CHECK_RV(C_SetAttributeValue(h, dek, read, 1), CKR_ACTION_PROHIBITED);
    CHECK_RV(C_DestroyObject(h, dek), CKR_OK);
    CHECK_RV(C_GetAttributeValue(h, dek, read, 1), CKR_OBJECT_HANDLE_INVALID);
    CHECK_RV(C_CloseSession(h), CKR_OK);
    CHECK(object_get(secret) == NULL);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

TEST(templates_are_checked_before_any_round_trip)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    CK_MECHANISM aes = {CKM_AES_KEY_GEN, NULL, 0}, rsa = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM ec = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_OBJECT_HANDLE k, k2;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG len = 20, bits = 1024;
    CK_ATTRIBUTE none[] = {{CKA_TOKEN, &yes, 1}};
    CHECK_RV(C_GenerateKey(h, &aes, none, 1, &k), CKR_TEMPLATE_INCOMPLETE);
    CK_ATTRIBUTE bad_len[] = {{CKA_VALUE_LEN, &len, sizeof(len)}};
    CHECK_RV(C_GenerateKey(h, &aes, bad_len, 1, &k), CKR_ATTRIBUTE_VALUE_INVALID);
    len = 32;
    CK_ATTRIBUTE extractable[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_TOKEN, &yes, 1},
                                  {CKA_EXTRACTABLE, &yes, 1}};
    CHECK_RV(C_GenerateKey(h, &aes, extractable, 3, &k), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_ATTRIBUTE short_bool[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_TOKEN, &yes, 4}};
    CHECK_RV(C_GenerateKey(h, &aes, short_bool, 2, &k), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_ATTRIBUTE rsa_pub[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};
    CHECK_RV(C_GenerateKeyPair(h, &rsa, rsa_pub, 1, NULL, 0, &k, &k2), CKR_ATTRIBUTE_VALUE_INVALID);
    bits = 2048;
    CK_ATTRIBUTE session_pair[] = {{CKA_TOKEN, &no, 1}};
    CHECK_RV(C_GenerateKeyPair(h, &rsa, rsa_pub, 1, session_pair, 1, &k, &k2),
             CKR_TEMPLATE_INCONSISTENT);
    CK_BYTE e3[] = {0x03};
    CK_ATTRIBUTE small_e[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_PUBLIC_EXPONENT, e3, 1}};
    CHECK_RV(C_GenerateKeyPair(h, &rsa, small_e, 2, NULL, 0, &k, &k2), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_BYTE secp256k1[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
    CK_ATTRIBUTE curve[] = {{CKA_EC_PARAMS, secp256k1, sizeof(secp256k1)}};
    CHECK_RV(C_GenerateKeyPair(h, &ec, curve, 1, NULL, 0, &k, &k2), CKR_CURVE_NOT_SUPPORTED);

    CK_OBJECT_HANDLE dek = session_key(h, 32, CK_FALSE, "d");
    CK_ULONG aes_type = CKK_AES;
    CK_ATTRIBUTE to_token[] = {{CKA_KEY_TYPE, &aes_type, sizeof(aes_type)}, {CKA_TOKEN, &yes, 1}};
    CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    CK_BYTE blob[40] = {0};
    CHECK_RV(C_UnwrapKey(h, &kwp, dek, blob, 40, to_token, 2, &k), CKR_TEMPLATE_INCONSISTENT);
    CHECK_RV(C_UnwrapKey(h, &kwp, dek, blob, 40, NULL, 0, &k), CKR_TEMPLATE_INCOMPLETE);
    CHECK_RV(C_UnwrapKey(h, &kwp, dek, blob, 40, to_token, 1, &k), CKR_KEY_FUNCTION_NOT_PERMITTED);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

TEST(session_keys_are_operands_only)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    CK_OBJECT_HANDLE dek = session_key(h, 32, CK_FALSE, "d");
    CK_BYTE iv[12] = {0};
    CK_GCM_PARAMS gcm = {iv, 12, 96, NULL, 0, 128};
    CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
    CHECK_RV(C_EncryptInit(h, &m, dek), CKR_KEY_FUNCTION_NOT_PERMITTED);
    CHECK_RV(C_EncryptInit(h, &m, 0x1234), CKR_KEY_HANDLE_INVALID);
    CK_BYTE out[64];
    CK_ULONG out_len = sizeof(out);
    CHECK_RV(C_Encrypt(h, iv, 12, out, &out_len), CKR_OPERATION_NOT_INITIALIZED);
    CK_MECHANISM sign = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CHECK_RV(C_SignInit(h, &sign, dek), CKR_KEY_TYPE_INCONSISTENT);
    CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    CHECK_RV(C_WrapKey(h, &kwp, dek, dek, out, &out_len), CKR_KEY_FUNCTION_NOT_PERMITTED);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

TEST(an_unreachable_server_is_a_device_error_and_never_device_removed)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    CK_BYTE random[16];
    CHECK_RV(C_GenerateRandom(h, random, sizeof(random)), CKR_DEVICE_ERROR);
    CHECK_RV(C_FindObjectsInit(h, NULL, 0), CKR_DEVICE_ERROR);
    /* The failed find left no operation behind. */
    CK_OBJECT_HANDLE found;
    CK_ULONG n;
    CHECK_RV(C_FindObjects(h, &found, 1, &n), CKR_OPERATION_NOT_INITIALIZED);
    CK_ULONG len = 32;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_TOKEN, &yes, 1}};
    CK_MECHANISM aes = {CKM_AES_KEY_GEN, NULL, 0};
    CK_OBJECT_HANDLE k;
    CHECK_RV(C_GenerateKey(h, &aes, t, 2, &k), CKR_DEVICE_ERROR);
    CHECK_RV(C_GenerateRandom(h, random, 0), CKR_OK);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

/* A server in place of the slot's exchange: to a Create Key Pair it answers the new pair's UIDs
 * (unless `refuse_create`), every other item it refuses for `refusal`. */
static struct {
    uint32_t refusal;
    int refuse_create;
    int messages;
} g_stand_in;

static CK_RV stand_in_exchange(struct slot *s, int n, kmip_build_fn build, void *arg, int idempotent,
                               struct kmip_response *resp)
{
    ttlv_writer req, w;
    ttlv_item root, item, op;
    uint32_t operation = 0;
    ttlv_writer_init(&req);
    ttlv_begin(&req, TAG_REQUEST_MESSAGE);
    build(&req, arg);
    ttlv_end(&req);
    CHECK(ttlv_writer_ok(&req) && ttlv_validate(req.buf, req.len, &root));
    CHECK(ttlv_find(&root, TAG_BATCH_ITEM, &item) && ttlv_find(&item, TAG_OPERATION, &op) &&
          ttlv_enum(&op, &operation));
    ttlv_writer_free(&req);
    g_stand_in.messages++;
    ttlv_writer_init(&w);
    canned_response_start(&w, 2, 1, 1);
    if (operation == KMIP_OP_CREATE_KEY_PAIR && !g_stand_in.refuse_create) {
        ttlv_begin(&w, TAG_BATCH_ITEM);
        ttlv_put_enum(&w, TAG_OPERATION, KMIP_OP_CREATE_KEY_PAIR);
        ttlv_put_enum(&w, TAG_RESULT_STATUS, 0);
        ttlv_begin(&w, TAG_RESPONSE_PAYLOAD);
        ttlv_put_text(&w, TAG_PRIVATE_KEY_UID, "u-priv", 6);
        ttlv_put_text(&w, TAG_PUBLIC_KEY_UID, "u-pub", 5);
        ttlv_end(&w);
        ttlv_end(&w);
    } else {
        canned_refused(&w, operation, g_stand_in.refusal);
    }
    canned_response_end(&w, resp);
    return CKR_OK;
}

TEST(a_refused_locate_fails_c_findobjectsinit_only_with_codes_section_5_7_7_allows)
{
    /* PKCS#11 v2.40/3.0 §5.7.7: of the codes a failed search can give, C_FindObjectsInit may
     * return CKR_DEVICE_ERROR, CKR_FUNCTION_FAILED, CKR_GENERAL_ERROR and CKR_HOST_MEMORY; not
     * CKR_KEY_FUNCTION_NOT_PERMITTED, CKR_USER_NOT_LOGGED_IN, CKR_DATA_LEN_RANGE or
     * CKR_MECHANISM_INVALID. The reason stays in ulDeviceError. */
    static const struct {
        uint32_t reason;
        CK_RV rv;
    } cases[] = {{0x0C, CKR_FUNCTION_FAILED}, {0x39, CKR_FUNCTION_FAILED}, {0x03, CKR_FUNCTION_FAILED},
                 {0x07, CKR_FUNCTION_FAILED}, {0x08, CKR_FUNCTION_FAILED}, {0x43, CKR_FUNCTION_FAILED},
                 {0x3A, CKR_FUNCTION_FAILED}, {0x44, CKR_DEVICE_ERROR},    {0x2A, CKR_DEVICE_ERROR},
                 {0x15, CKR_FUNCTION_FAILED},         {0x36, CKR_FUNCTION_FAILED},
                 {0x100, CKR_DEVICE_ERROR},           {0x04, CKR_GENERAL_ERROR}};
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    lib_slot(0)->exchange = stand_in_exchange;
    for (size_t i = 0; i < COUNT(cases); i++) {
        g_stand_in.refusal = cases[i].reason;
        g_stand_in.messages = 0;
        CHECK_RV(C_FindObjectsInit(h, NULL, 0), cases[i].rv);
        CHECK(g_stand_in.messages == 1);
        CK_SESSION_INFO info;
        CHECK_RV(C_GetSessionInfo(h, &info), CKR_OK);
        CHECK(info.ulDeviceError == cases[i].reason);
        CK_OBJECT_HANDLE found;
        CK_ULONG n;
        CHECK_RV(C_FindObjects(h, &found, 1, &n), CKR_OPERATION_NOT_INITIALIZED);
    }
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

TEST(a_key_pair_whose_private_half_cannot_be_loaded_costs_no_more_message_and_gives_no_handle)
{
    static const uint32_t unseen[] = {0x01, 0x0C};
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    lib_slot(0)->exchange = stand_in_exchange;
    CK_ULONG bits = 2048;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE pub[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_TOKEN, &yes, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN, &yes, 1}, {CKA_TOKEN, &yes, 1}};
    CK_MECHANISM rsa = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    for (size_t i = 0; i < COUNT(unseen); i++) {
        g_stand_in.refusal = unseen[i];
        g_stand_in.messages = 0;
        CK_OBJECT_HANDLE public_key = 77, private_key = 77;
        CHECK_RV(C_GenerateKeyPair(h, &rsa, pub, 2, priv, 2, &public_key, &private_key),
                 CKR_FUNCTION_FAILED);
        /* Create Key Pair, then one Get Attributes of both halves: no second one for the public. */
        CHECK(g_stand_in.messages == 2);
        CHECK(public_key == 77 && private_key == 77);
    }
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

static int listed(CK_RV rv, const CK_RV *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rv == list[i])
            return 1;
    return 0;
}

/* PKCS#11 v2.40 §5.14 / v3.0 §5.18: what C_GenerateKey and C_GenerateKeyPair may return, of the codes a
 * refused Create can give. */
static int generation_may_return(CK_RV rv)
{
    static const CK_RV allowed[] = {CKR_TOKEN_WRITE_PROTECTED,  CKR_USER_NOT_LOGGED_IN,
                                    CKR_ATTRIBUTE_VALUE_INVALID, CKR_MECHANISM_INVALID,
                                    CKR_MECHANISM_PARAM_INVALID, CKR_FUNCTION_FAILED,
                                    CKR_DEVICE_ERROR,            CKR_GENERAL_ERROR};
    return listed(rv, allowed, COUNT(allowed));
}

TEST(a_refused_create_fails_key_generation_only_with_codes_its_return_list_allows)
{
    /* Not CKR_KEY_FUNCTION_NOT_PERMITTED (a crypto-user may not create keys), CKR_DATA_LEN_RANGE,
     * CKR_OBJECT_HANDLE_INVALID, CKR_FUNCTION_REJECTED or CKR_FUNCTION_NOT_SUPPORTED. The reason
     * stays in ulDeviceError. */
    static const struct {
        uint32_t reason;
        CK_RV rv;
    } cases[] = {{0x0C, CKR_TOKEN_WRITE_PROTECTED},   {0x39, CKR_TOKEN_WRITE_PROTECTED},
                 {0x29, CKR_TOKEN_WRITE_PROTECTED},   {0x1A, CKR_TOKEN_WRITE_PROTECTED},
                 {0x03, CKR_USER_NOT_LOGGED_IN},      {0x2D, CKR_ATTRIBUTE_VALUE_INVALID},
                 {0x18, CKR_ATTRIBUTE_VALUE_INVALID}, {0x08, CKR_MECHANISM_INVALID},
                 {0x24, CKR_MECHANISM_PARAM_INVALID}, {0x3E, CKR_MECHANISM_PARAM_INVALID},
                 {0x34, CKR_MECHANISM_PARAM_INVALID}, {0x07, CKR_FUNCTION_FAILED},
                 {0x02, CKR_FUNCTION_FAILED},         {0x01, CKR_FUNCTION_FAILED},
                 {0x37, CKR_FUNCTION_FAILED},         {0x43, CKR_FUNCTION_FAILED},
                 {0x14, CKR_FUNCTION_FAILED},         {0x05, CKR_FUNCTION_FAILED},
                 {0x16, CKR_FUNCTION_FAILED},         {0x17, CKR_FUNCTION_FAILED},
                 {0x0A, CKR_FUNCTION_FAILED},         {0x3A, CKR_FUNCTION_FAILED},
                 {0x44, CKR_DEVICE_ERROR},            {0x2A, CKR_DEVICE_ERROR},
                 {0x15, CKR_FUNCTION_FAILED},         {0x36, CKR_FUNCTION_FAILED},
                 {0x100, CKR_DEVICE_ERROR},           {0x04, CKR_GENERAL_ERROR}};
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    lib_slot(0)->exchange = stand_in_exchange;
    g_stand_in.refuse_create = 1;
    CK_ULONG len = 32, bits = 2048;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE secret[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_TOKEN, &yes, 1}};
    CK_ATTRIBUTE pub[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_TOKEN, &yes, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN, &yes, 1}, {CKA_TOKEN, &yes, 1}};
    CK_MECHANISM aes = {CKM_AES_KEY_GEN, NULL, 0}, rsa = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    for (size_t i = 0; i < COUNT(cases); i++) {
        CHECK(generation_may_return(cases[i].rv));
        g_stand_in.refusal = cases[i].reason;
        for (int pair = 0; pair < 2; pair++) {
            g_stand_in.messages = 0;
            CK_OBJECT_HANDLE key = 77, public_key = 77;
            CK_RV rv = pair ? C_GenerateKeyPair(h, &rsa, pub, 2, priv, 2, &public_key, &key)
                            : C_GenerateKey(h, &aes, secret, 2, &key);
            CHECK_RV(rv, cases[i].rv);
            CHECK(g_stand_in.messages == 1 && key == 77 && public_key == 77);
            CK_SESSION_INFO info;
            CHECK_RV(C_GetSessionInfo(h, &info), CKR_OK);
            CHECK(info.ulDeviceError == cases[i].reason);
        }
    }
    g_stand_in.refuse_create = 0;
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

/* PKCS#11 v2.40 and v3.0 §5.7.3: what C_DestroyObject may return, of the codes a refused Revoke or
 * Destroy can give (neither CKR_KEY_FUNCTION_NOT_PERMITTED nor CKR_USER_NOT_LOGGED_IN is listed). */
static int destroy_may_return(CK_RV rv)
{
    static const CK_RV allowed[] = {CKR_TOKEN_WRITE_PROTECTED, CKR_ACTION_PROHIBITED, CKR_OBJECT_HANDLE_INVALID,
                                    CKR_FUNCTION_FAILED,       CKR_DEVICE_ERROR,      CKR_GENERAL_ERROR};
    return listed(rv, allowed, COUNT(allowed));
}

/* A token secret key of slot 0 known by `uid`, as a search would have published it; answers its handle. */
static CK_OBJECT_HANDLE published_key(const char *uid)
{
    struct object *o = object_new();
    CHECK(o != NULL);
    o->cls = CKO_SECRET_KEY;
    o->key_type = CKK_AES;
    snprintf(o->uid, sizeof(o->uid), "%s", uid);
    o = object_publish(o);
    CHECK(o != NULL);
    CK_OBJECT_HANDLE h = o->handle;
    object_put(o);
    return h;
}

TEST(a_refused_destroy_fails_c_destroyobject_only_with_codes_section_5_7_3_allows)
{
    /* A crypto-user (who may not destroy keys) gets CKR_TOKEN_WRITE_PROTECTED, not
     * CKR_KEY_FUNCTION_NOT_PERMITTED; the reason stays in ulDeviceError, and only an object gone
     * from the server loses its handle. */
    static const struct {
        uint32_t reason;
        CK_RV rv;
    } cases[] = {{0x0C, CKR_TOKEN_WRITE_PROTECTED}, {0x39, CKR_TOKEN_WRITE_PROTECTED},
                 {0x29, CKR_TOKEN_WRITE_PROTECTED}, {0x1A, CKR_TOKEN_WRITE_PROTECTED},
                 {0x43, CKR_OBJECT_HANDLE_INVALID}, {0x01, CKR_OBJECT_HANDLE_INVALID},
                 {0x37, CKR_OBJECT_HANDLE_INVALID}, {0x36, CKR_OBJECT_HANDLE_INVALID},
                 {0x03, CKR_FUNCTION_FAILED},       {0x07, CKR_FUNCTION_FAILED},
                 {0x08, CKR_FUNCTION_FAILED},       {0x0A, CKR_FUNCTION_FAILED},
                 {0x15, CKR_FUNCTION_FAILED},       {0x16, CKR_FUNCTION_FAILED},
                 {0x2D, CKR_FUNCTION_FAILED},       {0x3A, CKR_FUNCTION_FAILED},
                 {0x44, CKR_DEVICE_ERROR},          {0x2A, CKR_DEVICE_ERROR},
                 {0x100, CKR_DEVICE_ERROR},         {0x04, CKR_GENERAL_ERROR}};
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    lib_slot(0)->exchange = stand_in_exchange;
    for (size_t i = 0; i < COUNT(cases); i++) {
        CHECK(destroy_may_return(cases[i].rv));
        CK_OBJECT_HANDLE key = published_key("u-key");
        g_stand_in.refusal = cases[i].reason;
        g_stand_in.messages = 0;
        CHECK_RV(C_DestroyObject(h, key), cases[i].rv);
        CHECK(g_stand_in.messages == 1);
        CK_SESSION_INFO info;
        CHECK_RV(C_GetSessionInfo(h, &info), CKR_OK);
        CHECK(info.ulDeviceError == cases[i].reason);
        struct object *kept = object_get(key);
        CHECK((kept != NULL) == (cases[i].rv != CKR_OBJECT_HANDLE_INVALID));
        object_put(kept);
    }
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

/* PKCS#11 v2.40 §5.15.2 / v3.0 §5.19.2: what C_GenerateRandom may return, of the codes a refused RNG
 * Retrieve can give (CKR_KEY_FUNCTION_NOT_PERMITTED is not listed). */
static int random_may_return(CK_RV rv)
{
    static const CK_RV allowed[] = {CKR_USER_NOT_LOGGED_IN, CKR_FUNCTION_FAILED, CKR_DEVICE_ERROR,
                                    CKR_GENERAL_ERROR};
    return listed(rv, allowed, COUNT(allowed));
}

TEST(a_refused_rng_retrieve_fails_c_generaterandom_only_with_codes_section_5_19_2_allows)
{
    /* An auditor (who may not draw random bytes) gets CKR_FUNCTION_FAILED, its reason in
     * ulDeviceError. */
    static const struct {
        uint32_t reason;
        CK_RV rv;
    } cases[] = {{0x0C, CKR_FUNCTION_FAILED}, {0x39, CKR_FUNCTION_FAILED},   {0x29, CKR_FUNCTION_FAILED},
                 {0x1A, CKR_FUNCTION_FAILED}, {0x43, CKR_FUNCTION_FAILED},   {0x03, CKR_USER_NOT_LOGGED_IN},
                 {0x07, CKR_FUNCTION_FAILED}, {0x08, CKR_FUNCTION_FAILED},   {0x15, CKR_FUNCTION_FAILED},
                 {0x3A, CKR_FUNCTION_FAILED}, {0x44, CKR_DEVICE_ERROR},      {0x2A, CKR_DEVICE_ERROR},
                 {0x100, CKR_DEVICE_ERROR},   {0x04, CKR_GENERAL_ERROR}};
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    lib_slot(0)->exchange = stand_in_exchange;
    for (size_t i = 0; i < COUNT(cases); i++) {
        CHECK(random_may_return(cases[i].rv));
        g_stand_in.refusal = cases[i].reason;
        g_stand_in.messages = 0;
        CK_BYTE random[16];
        CHECK_RV(C_GenerateRandom(h, random, sizeof(random)), cases[i].rv);
        CHECK(g_stand_in.messages == 1);
        CK_SESSION_INFO info;
        CHECK_RV(C_GetSessionInfo(h, &info), CKR_OK);
        CHECK(info.ulDeviceError == cases[i].reason);
    }
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

TEST(a_forked_child_must_initialise_again_and_inherits_no_keys)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE h = open_session();
    CK_OBJECT_HANDLE dek = session_key(h, 64, CK_FALSE, "parent");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        CK_INFO info;
        int code = 0;
        if (C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED)
            code |= 1;
        if (init() != CKR_OK)
            code |= 2;
        CK_SESSION_HANDLE child = 0;
        C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &child);
        CK_BYTE value[64];
        CK_ATTRIBUTE read[] = {{CKA_VALUE, value, sizeof(value)}};
        if (C_GetAttributeValue(child, dek, read, 1) != CKR_OBJECT_HANDLE_INVALID)
            code |= 4;
        if (C_Finalize(NULL) != CKR_OK)
            code |= 8;
        _exit(code);
    }
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The parent is untouched. */
    CK_BYTE value[64];
    CK_ATTRIBUTE read[] = {{CKA_VALUE, value, sizeof(value)}};
    CHECK_RV(C_GetAttributeValue(h, dek, read, 1), CKR_OK);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}

struct worker {
    CK_SESSION_HANDLE shared;
    int failures;
};

/* Halfway, every worker parks outside the library twice: once so that the main thread can fork
 * while no thread holds a lock (POSIX allows a multithreaded parent's child only
 * async-signal-safe calls, and OpenSSL's locks are not fork-aware), once to resume. */
static pthread_barrier_t g_halfway;

static void *churn(void *arg)
{
    struct worker *w = arg;
    CK_SESSION_HANDLE own = 0;
    if (C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &own) != CKR_OK)
        w->failures++;
    for (int i = 0; i < 1000; i++) {
        if (i == 500) {
            pthread_barrier_wait(&g_halfway);
            pthread_barrier_wait(&g_halfway);
        }
        CK_SESSION_HANDLE h = i % 2 ? own : w->shared;
        CK_ULONG len = 64;
        CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
        CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_TOKEN, &no, 1},
                            {CKA_EXTRACTABLE, &yes, 1}};
        CK_MECHANISM m = {CKM_GENERIC_SECRET_KEY_GEN, NULL, 0};
        CK_OBJECT_HANDLE k = 0;
        CK_BYTE value[64];
        CK_ATTRIBUTE read[] = {{CKA_VALUE, value, sizeof(value)}};
        CK_SESSION_INFO info;
        if (C_GenerateKey(h, &m, t, 3, &k) != CKR_OK || C_GetAttributeValue(h, k, read, 1) != CKR_OK ||
            C_GetSessionInfo(h, &info) != CKR_OK || C_DestroyObject(h, k) != CKR_OK)
            w->failures++;
    }
    if (C_CloseSession(own) != CKR_OK)
        w->failures++;
    return NULL;
}

TEST(eight_threads_share_and_separate_sessions_through_a_fork_without_failures)
{
    CHECK_RV(init(), CKR_OK);
    CK_SESSION_HANDLE shared = open_session();
    pthread_t threads[8];
    struct worker workers[8];
    pthread_barrier_init(&g_halfway, NULL, 9);
    for (int i = 0; i < 8; i++) {
        workers[i] = (struct worker){shared, 0};
        pthread_create(&threads[i], NULL, churn, &workers[i]);
    }
    /* A fork in the middle: the child starts over, the parent's threads do not notice. */
    pthread_barrier_wait(&g_halfway);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        CK_INFO info;
        int code = C_GetInfo(&info) == CKR_CRYPTOKI_NOT_INITIALIZED ? 0 : 1;
        code |= init() == CKR_OK ? 0 : 2;
        code |= C_GetInfo(&info) == CKR_OK ? 0 : 4;
        _exit(code);
    }
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    pthread_barrier_wait(&g_halfway);
    int failures = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        failures += workers[i].failures;
    }
    pthread_barrier_destroy(&g_halfway);
    CHECK(failures == 0);
    CHECK_RV(C_Finalize(NULL), CKR_OK);
}
