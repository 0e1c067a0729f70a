/*
 * What a CSI node plugin does with libtresor-pkcs11 (PKCS11.md §4), as a command for
 * tests/csi-flow.sh. Loads the module with dlopen like any PKCS#11 client.
 *
 *   csi-client MODULE provision gcm|tresor|wrap KEK_LABEL VOLUME_ID BLOB  → the new 64-byte
 *       volume key on stdout; BLOB gets what the driver stores in the volume's metadata
 *   csi-client MODULE recover gcm|tresor|wrap KEK_LABEL VOLUME_ID BLOB    → the volume key
 *
 * The KEK is the primary version of the key labelled KEK_LABEL; the blob starts with that
 * version's CKA_UNIQUE_ID, so recovery uses the version that protected the key.
 * "gcm": C_GenerateRandom for the key and the IV, then C_Encrypt with CKM_AES_GCM (AAD = the
 * volume id), as the Kubernetes KMS plugins do; blob = uid, IV, ciphertext and tag.
 * "tresor": C_Encrypt with CKM_TRESOR_AES_GCM (AAD = the volume id; the server draws the nonce,
 * PKCS11.md §4 A); blob = uid and the Tresor ciphertext, which names its key version, so
 * recovery decrypts with the primary version's handle.
 * "wrap": a session key from C_GenerateKey, C_WrapKey with CKM_AES_KEY_WRAP_KWP; blob = uid and
 * the wrapped key. Recovering under a version that is no longer primary prints "rewrap" on
 * stderr, the driver's signal to protect the key again.
 */
#include "pkcs11.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKA_TRESOR_PRIMARY (CKA_VENDOR_DEFINED | 0x54520002UL)
#define CKM_TRESOR_AES_GCM (CKM_VENDOR_DEFINED | 0x54520001UL)
#define DEK_LEN 64
#define BLOB_MAX 4096
#define IV_LEN 12

static CK_FUNCTION_LIST *p11;

static void die(const char *what, CK_RV rv)
{
    fprintf(stderr, "csi-client: %s failed: CK_RV 0x%lx\n", what, rv);
    exit(rv == CKR_FUNCTION_REJECTED ? 3 : 2);
}

#define CALL(expr)                      \
    do {                                \
        CK_RV rv_ = (expr);             \
        if (rv_ != CKR_OK)              \
            die(#expr, rv_);            \
    } while (0)

static CK_SESSION_HANDLE open_session(const char *module)
{
    void *lib = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "csi-client: %s\n", dlerror());
        exit(2);
    }
    CK_RV (*get_list)(CK_FUNCTION_LIST **) = (CK_RV(*)(CK_FUNCTION_LIST **))dlsym(lib, "C_GetFunctionList");
    if (!get_list)
        die("dlsym C_GetFunctionList", CKR_GENERAL_ERROR);
    CALL(get_list(&p11));
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
    CALL(p11->C_Initialize(&args));
    CK_SLOT_ID slot;
    CK_ULONG n = 1;
    CALL(p11->C_GetSlotList(CK_TRUE, &slot, &n));
    CK_SESSION_HANDLE s;
    CALL(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
    return s;
}

static CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n)
{
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_ULONG found = 0;
    CALL(p11->C_FindObjectsInit(s, t, n));
    CALL(p11->C_FindObjects(s, &h, 1, &found));
    CALL(p11->C_FindObjectsFinal(s));
    if (found != 1)
        die("finding the key-encryption key", CKR_KEY_HANDLE_INVALID);
    return h;
}

static CK_OBJECT_HANDLE primary_kek(CK_SESSION_HANDLE s, const char *label)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
                        {CKA_LABEL, (void *)label, strlen(label)},
                        {CKA_TRESOR_PRIMARY, &yes, 1}};
    return find_one(s, t, 3);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        die("writing the blob", CKR_GENERAL_ERROR);
}

static size_t read_file(const char *path, uint8_t *p, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(p, 1, cap, f) : 0;
    if (!f || n == 0 || n == cap)
        die("reading the blob", CKR_GENERAL_ERROR);
    fclose(f);
    return n;
}

static void print_key(const uint8_t *dek)
{
    if (fwrite(dek, 1, DEK_LEN, stdout) != DEK_LEN || fflush(stdout) != 0)
        die("writing the volume key", CKR_GENERAL_ERROR);
}

/* blob = uid length (1 byte) ‖ uid ‖ payload; returns the payload offset. */
static size_t put_uid(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE kek, uint8_t *blob)
{
    CK_ATTRIBUTE uid = {CKA_UNIQUE_ID, blob + 1, 255};
    CALL(p11->C_GetAttributeValue(s, kek, &uid, 1));
    blob[0] = (uint8_t)uid.ulValueLen;
    return 1 + uid.ulValueLen;
}

/* The KEK version named by the blob; says "rewrap" when it is not the primary one. */
static CK_OBJECT_HANDLE kek_of_blob(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE primary,
                                    const uint8_t *blob, size_t n, size_t *payload)
{
    size_t uid_len = blob[0];
    if (n <= 1 + uid_len)
        die("parsing the blob", CKR_WRAPPED_KEY_INVALID);
    CK_ATTRIBUTE by_uid[] = {{CKA_UNIQUE_ID, (void *)(blob + 1), uid_len}};
    CK_OBJECT_HANDLE kek = find_one(s, by_uid, 1);
    if (kek != primary)
        fprintf(stderr, "rewrap\n");
    *payload = 1 + uid_len;
    return kek;
}

/* gcm: the driver draws the IV (CKM_AES_GCM); tresor: the server does (CKM_TRESOR_AES_GCM). */
static void provision_sealed(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE kek, const char *volume,
                             const char *blob_path, int server_iv)
{
    uint8_t dek[DEK_LEN], blob[BLOB_MAX];
    size_t at = put_uid(s, kek, blob);
    CALL(p11->C_GenerateRandom(s, dek, sizeof(dek)));
    CK_GCM_PARAMS gcm = {blob + at, IV_LEN, 8 * IV_LEN, (CK_BYTE_PTR)volume, strlen(volume), 128};
    CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
    if (server_iv) {
        m = (CK_MECHANISM){CKM_TRESOR_AES_GCM, (void *)volume, strlen(volume)};
    } else {
        CALL(p11->C_GenerateRandom(s, blob + at, IV_LEN));
        at += IV_LEN;
    }
    CK_ULONG n = 0;
    CALL(p11->C_EncryptInit(s, &m, kek));
    CALL(p11->C_Encrypt(s, dek, sizeof(dek), NULL, &n)); /* the size, then the data */
    if (at + n > sizeof(blob))
        die("sizing the ciphertext", CKR_BUFFER_TOO_SMALL);
    CALL(p11->C_Encrypt(s, dek, sizeof(dek), blob + at, &n));
    write_file(blob_path, blob, at + n);
    print_key(dek);
}

static void provision_wrap(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE kek, const char *blob_path)
{
    CK_ULONG len = DEK_LEN;
    CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
    CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_TOKEN, &no, 1},
                        {CKA_EXTRACTABLE, &yes, 1}, {CKA_SENSITIVE, &no, 1}};
    CK_MECHANISM gen = {CKM_GENERIC_SECRET_KEY_GEN, NULL, 0};
    CK_OBJECT_HANDLE dek_handle;
    CALL(p11->C_GenerateKey(s, &gen, t, 4, &dek_handle));
    uint8_t blob[BLOB_MAX], dek[DEK_LEN];
    size_t at = put_uid(s, kek, blob);
    CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    CK_ULONG n = 0;
    CALL(p11->C_WrapKey(s, &kwp, kek, dek_handle, NULL, &n));
    if (at + n > sizeof(blob))
        die("sizing the wrapped key", CKR_BUFFER_TOO_SMALL);
    CALL(p11->C_WrapKey(s, &kwp, kek, dek_handle, blob + at, &n));
    CK_ATTRIBUTE value = {CKA_VALUE, dek, sizeof(dek)};
    CALL(p11->C_GetAttributeValue(s, dek_handle, &value, 1));
    CALL(p11->C_DestroyObject(s, dek_handle));
    write_file(blob_path, blob, at + n);
    print_key(dek);
}

static void recover_sealed(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE primary, const char *volume,
                           const char *blob_path, int server_iv)
{
    uint8_t blob[BLOB_MAX], dek[DEK_LEN + 64];
    size_t n = read_file(blob_path, blob, sizeof(blob)), at;
    CK_OBJECT_HANDLE kek = kek_of_blob(s, primary, blob, n, &at);
    if (n <= at + IV_LEN)
        die("parsing the blob", CKR_ENCRYPTED_DATA_INVALID);
    CK_GCM_PARAMS gcm = {blob + at, IV_LEN, 8 * IV_LEN, (CK_BYTE_PTR)volume, strlen(volume), 128};
    CK_MECHANISM m = {CKM_AES_GCM, &gcm, sizeof(gcm)};
    if (server_iv) {
        m = (CK_MECHANISM){CKM_TRESOR_AES_GCM, (void *)volume, strlen(volume)};
        kek = primary; /* the ciphertext names its version; the library finds it */
    } else {
        at += IV_LEN;
    }
    CK_ULONG out = sizeof(dek);
    CALL(p11->C_DecryptInit(s, &m, kek));
    CALL(p11->C_Decrypt(s, blob + at, n - at, dek, &out));
    if (out != DEK_LEN)
        die("checking the volume key length", CKR_ENCRYPTED_DATA_INVALID);
    print_key(dek);
}

static void recover_wrap(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE primary, const char *blob_path)
{
    uint8_t blob[BLOB_MAX], dek[DEK_LEN];
    size_t n = read_file(blob_path, blob, sizeof(blob)), at;
    CK_OBJECT_HANDLE kek = kek_of_blob(s, primary, blob, n, &at);
    CK_ULONG len = DEK_LEN, type = CKK_GENERIC_SECRET;
    CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
    CK_ATTRIBUTE t[] = {{CKA_KEY_TYPE, &type, sizeof(type)}, {CKA_VALUE_LEN, &len, sizeof(len)},
                        {CKA_TOKEN, &no, 1}, {CKA_EXTRACTABLE, &yes, 1}, {CKA_SENSITIVE, &no, 1}};
    CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    CK_OBJECT_HANDLE dek_handle;
    CALL(p11->C_UnwrapKey(s, &kwp, kek, blob + at, n - at, t, 5, &dek_handle));
    CK_ATTRIBUTE value = {CKA_VALUE, dek, sizeof(dek)};
    CALL(p11->C_GetAttributeValue(s, dek_handle, &value, 1));
    CALL(p11->C_DestroyObject(s, dek_handle));
    print_key(dek);
}

int main(int argc, char **argv)
{
    if (argc != 7 || (strcmp(argv[2], "provision") && strcmp(argv[2], "recover")) ||
        (strcmp(argv[3], "gcm") && strcmp(argv[3], "tresor") && strcmp(argv[3], "wrap"))) {
        fprintf(stderr, "usage: csi-client MODULE provision|recover gcm|tresor|wrap KEK_LABEL "
                        "VOLUME_ID BLOB\n");
        return 64;
    }
    CK_SESSION_HANDLE s = open_session(argv[1]);
    CK_OBJECT_HANDLE kek = primary_kek(s, argv[4]);
    int provision = !strcmp(argv[2], "provision"), wrap = !strcmp(argv[3], "wrap");
    int server_iv = !strcmp(argv[3], "tresor");
    if (provision && !wrap)
        provision_sealed(s, kek, argv[5], argv[6], server_iv);
    else if (provision)
        provision_wrap(s, kek, argv[6]);
    else if (!wrap)
        recover_sealed(s, kek, argv[5], argv[6], server_iv);
    else
        recover_wrap(s, kek, argv[6]);
    CALL(p11->C_CloseAllSessions(0));
    CALL(p11->C_Finalize(NULL));
    return 0;
}
