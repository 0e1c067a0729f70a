/*
 * A PKCS#11 load driver: ops/s, p50 and p99 of one operation with N threads, each on its own
 * session, against any module (libtresor-pkcs11 or SoftHSM2, for the same numbers side by side).
 *
 *   p11bench MODULE gcm|pss|unwrap THREADS SECONDS [PIN]
 *
 * gcm: C_EncryptInit + C_Encrypt, AES-256-GCM of 1 KiB under the token key "bench-aes".
 * pss: C_SignInit + C_Sign, SHA256-RSA-PKCS-PSS of 32 bytes with the token key "bench-rsa".
 * unwrap: C_UnwrapKey (AES key wrap with padding, 0x210A) of a 32-byte key under "bench-aes",
 *         then C_DestroyObject of the session key.
 * Missing keys are created first (token objects). One line of results on stdout.
 */
#include "pkcs11.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SAMPLES (1u << 20)

static CK_FUNCTION_LIST *p11;
static CK_SLOT_ID slot;
static CK_OBJECT_HANDLE aes_key, rsa_key;
static CK_BYTE wrapped[64];
static CK_ULONG wrapped_len;
static const char *op;
static double seconds;

static void check(CK_RV rv, const char *what)
{
    if (rv != CKR_OK) {
        fprintf(stderr, "p11bench: %s: CK_RV 0x%lx\n", what, rv);
        exit(rv == CKR_FUNCTION_NOT_SUPPORTED || rv == CKR_MECHANISM_INVALID ? 3 : 2);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static CK_OBJECT_HANDLE find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const char *label)
{
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_LABEL, (void *)label, strlen(label)}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    check(p11->C_FindObjectsInit(s, t, 2), "C_FindObjectsInit");
    check(p11->C_FindObjects(s, &h, 1, &n), "C_FindObjects");
    check(p11->C_FindObjectsFinal(s), "C_FindObjectsFinal");
    return n ? h : CK_INVALID_HANDLE;
}

static void prepare_keys(CK_SESSION_HANDLE s)
{
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG len = 32, bits = 2048;
    if (!(aes_key = find(s, CKO_SECRET_KEY, "bench-aes"))) {
        CK_ATTRIBUTE t[] = {{CKA_TOKEN, &yes, 1}, {CKA_VALUE_LEN, &len, sizeof(len)},
                            {CKA_LABEL, "bench-aes", 9}, {CKA_ENCRYPT, &yes, 1},
                            {CKA_DECRYPT, &yes, 1}, {CKA_WRAP, &yes, 1}, {CKA_UNWRAP, &yes, 1},
                            {CKA_SENSITIVE, &yes, 1}, {CKA_EXTRACTABLE, &no, 1}};
        CK_MECHANISM m = {CKM_AES_KEY_GEN, NULL, 0};
        check(p11->C_GenerateKey(s, &m, t, 9, &aes_key), "C_GenerateKey bench-aes");
    }
    if (!strcmp(op, "pss") && !(rsa_key = find(s, CKO_PRIVATE_KEY, "bench-rsa"))) {
        CK_OBJECT_HANDLE pub;
        CK_ATTRIBUTE pt[] = {{CKA_TOKEN, &yes, 1}, {CKA_MODULUS_BITS, &bits, sizeof(bits)},
                             {CKA_LABEL, "bench-rsa", 9}, {CKA_VERIFY, &yes, 1}};
        CK_ATTRIBUTE kt[] = {{CKA_TOKEN, &yes, 1}, {CKA_LABEL, "bench-rsa", 9}, {CKA_SIGN, &yes, 1},
                             {CKA_SENSITIVE, &yes, 1}, {CKA_PRIVATE, &yes, 1}};
        CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
        check(p11->C_GenerateKeyPair(s, &m, pt, 4, kt, 5, &pub, &rsa_key), "C_GenerateKeyPair");
    }
    if (!strcmp(op, "unwrap")) {
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE type = CKK_AES;
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_KEY_TYPE, &type, sizeof(type)},
                            {CKA_TOKEN, &no, 1}, {CKA_VALUE_LEN, &len, sizeof(len)},
                            {CKA_EXTRACTABLE, &yes, 1}, {CKA_SENSITIVE, &no, 1}};
        CK_MECHANISM gen = {CKM_AES_KEY_GEN, NULL, 0}, wrap = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
        CK_OBJECT_HANDLE dek;
        check(p11->C_GenerateKey(s, &gen, t + 1, 5, &dek), "C_GenerateKey session key");
        wrapped_len = sizeof(wrapped);
        check(p11->C_WrapKey(s, &wrap, aes_key, dek, wrapped, &wrapped_len), "C_WrapKey");
    }
}

struct worker {
    int id;
    double *samples;
    size_t n;
    unsigned long errors;
};

static CK_RV one_op(CK_SESSION_HANDLE s, struct worker *w, uint64_t i)
{
    static CK_BYTE data[1024];
    CK_BYTE out[2048];
    CK_ULONG out_len = sizeof(out);
    CK_RV rv;
    if (!strcmp(op, "gcm")) {
        CK_BYTE iv[12] = {0};
        memcpy(iv, &w->id, sizeof(w->id));
        memcpy(iv + 4, &i, sizeof(i));
        CK_GCM_PARAMS p = {iv, sizeof(iv), 96, NULL, 0, 128};
        CK_MECHANISM m = {CKM_AES_GCM, &p, sizeof(p)};
        rv = p11->C_EncryptInit(s, &m, aes_key);
        return rv != CKR_OK ? rv : p11->C_Encrypt(s, data, sizeof(data), out, &out_len);
    }
    if (!strcmp(op, "pss")) {
        CK_RSA_PKCS_PSS_PARAMS p = {CKM_SHA256, CKG_MGF1_SHA256, 32};
        CK_MECHANISM m = {CKM_SHA256_RSA_PKCS_PSS, &p, sizeof(p)};
        rv = p11->C_SignInit(s, &m, rsa_key);
        return rv != CKR_OK ? rv : p11->C_Sign(s, data, 32, out, &out_len);
    }
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_AES;
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_KEY_TYPE, &type, sizeof(type)},
                        {CKA_TOKEN, &no, 1}};
    CK_MECHANISM m = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
    CK_OBJECT_HANDLE k;
    rv = p11->C_UnwrapKey(s, &m, aes_key, wrapped, wrapped_len, t, 3, &k);
    return rv != CKR_OK ? rv : p11->C_DestroyObject(s, k);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    CK_SESSION_HANDLE s;
    check(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
          "C_OpenSession");
    double end = now() + seconds;
    for (uint64_t i = 0;; i++) {
        double start = now();
        if (start >= end)
            break;
        CK_RV rv = one_op(s, w, i);
        if (rv != CKR_OK)
            w->errors++;
        else if (w->n < MAX_SAMPLES)
            w->samples[w->n++] = now() - start;
    }
    p11->C_CloseSession(s);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5 || (strcmp(argv[2], "gcm") && strcmp(argv[2], "pss") && strcmp(argv[2], "unwrap"))) {
        fprintf(stderr, "usage: p11bench MODULE gcm|pss|unwrap THREADS SECONDS [PIN]\n");
        return 64;
    }
    op = argv[2];
    int threads = atoi(argv[3]);
    seconds = atof(argv[4]);
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib || threads < 1 || threads > 64 || seconds <= 0) {
        fprintf(stderr, "p11bench: %s\n", lib ? "bad THREADS or SECONDS" : dlerror());
        return 64;
    }
    CK_RV (*get)(CK_FUNCTION_LIST **) = (CK_RV(*)(CK_FUNCTION_LIST **))dlsym(lib, "C_GetFunctionList");
    check(get ? get(&p11) : CKR_GENERAL_ERROR, "C_GetFunctionList");
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
    check(p11->C_Initialize(&args), "C_Initialize");
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16;
    check(p11->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO info;
        if (p11->C_GetTokenInfo(slots[i], &info) == CKR_OK && (info.flags & CKF_TOKEN_INITIALIZED)) {
            slot = slots[i];
            break;
        }
    }
    CK_SESSION_HANDLE setup;
    check(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &setup),
          "C_OpenSession");
    if (argc > 5)
        check(p11->C_Login(setup, CKU_USER, (CK_UTF8CHAR_PTR)argv[5], strlen(argv[5])), "C_Login");
    prepare_keys(setup);

    pthread_t tid[64];
    struct worker w[64];
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){.id = i, .samples = malloc(MAX_SAMPLES * sizeof(double))};
        pthread_create(&tid[i], NULL, run, &w[i]);
    }
    size_t total = 0;
    unsigned long errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        total += w[i].n;
        errors += w[i].errors;
    }
    double *all = malloc((total ? total : 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(all + k, w[i].samples, w[i].n * sizeof(double));
        k += w[i].n;
        free(w[i].samples);
    }
    qsort(all, total, sizeof(double), by_value);
    double p50 = total ? all[total / 2] * 1e6 : 0, p99 = total ? all[total * 99 / 100] * 1e6 : 0;
    printf("%s %d threads: %.0f ops/s, p50 %.0f us, p99 %.0f us, %zu ops, %lu errors\n", op, threads,
           total / seconds, p50, p99, total, errors);
    free(all);
    p11->C_CloseSession(setup);
    p11->C_Finalize(NULL);
    return errors ? 1 : 0;
}
