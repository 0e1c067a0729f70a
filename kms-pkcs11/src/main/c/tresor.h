/* Internal declarations shared by the translation units of libtresor-pkcs11. */
#ifndef TRESOR_H
#define TRESOR_H

#include "pkcs11.h"
#include "ttlv.h"

#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define TRESOR_EXPORT __attribute__((visibility("default")))
#define TRESOR_MAX_TOKENS 16
#define TRESOR_UID_MAX 64
#define TRESOR_LABEL_MAX 256
#define TRESOR_ID_MAX 100
#define TRESOR_MAX_DATA (64u * 1024u)
#define TRESOR_POOL_MAX 16

/* Vendor-defined values ("TR" = 0x5452). */
#define CKM_TRESOR_AES_GCM (CKM_VENDOR_DEFINED | 0x54520001UL)
#define CKA_TRESOR_VERSION (CKA_VENDOR_DEFINED | 0x54520001UL)
#define CKA_TRESOR_PRIMARY (CKA_VENDOR_DEFINED | 0x54520002UL)
#define CKA_TRESOR_ATTESTED (CKA_VENDOR_DEFINED | 0x54520003UL)

/* All entry points, declared from the header's list so that definitions are checked. */
#define TRESOR_DECLARE(name, params) CK_RV name params;
TRESOR_FUNCTIONS_240(TRESOR_DECLARE)
TRESOR_FUNCTIONS_30(TRESOR_DECLARE)

/* ---- configuration (config.c) ---- */
enum attestation_mode { ATTEST_AUTO, ATTEST_OFF, ATTEST_TSM, ATTEST_COMMAND };

struct token_conf {
    char label[33];
    char project[129];
    char *cert; /* optional per-token client certificate and key */
    char *key;
};

struct tresor_conf {
    char host[256];
    char port[8];
    char *ca;
    char *cert;
    char *key;
    enum attestation_mode attestation;
    char *tsm_root;
    char *attestation_command;
    uint32_t attestation_type;
    int dual_use_reject;
    int pool_max;
    int connect_timeout_ms;
    int request_timeout_ms;
    size_t ntokens;
    struct token_conf tokens[TRESOR_MAX_TOKENS];
};

/* Parses text; on failure fills err with one line naming the problem and returns 0. */
int conf_parse(const char *text, size_t n, struct tresor_conf *out, char *err, size_t errlen);
int conf_load(const char *path, struct tresor_conf *out, char *err, size_t errlen);
void conf_free(struct tresor_conf *c);

/* ---- transport (kmip_client.c) ---- */
struct conn;
struct pool {
    pthread_mutex_t mu;
    struct conn *idle[TRESOR_POOL_MAX];
    int n_idle;
    int max_idle;
    SSL_CTX *ctx;
    const char *host;
    const char *port;
    int connect_timeout_ms;
    int request_timeout_ms;
    uint8_t cert_spki_sha256[32];
};

enum transport_result { TRANSPORT_OK, TRANSPORT_FAILED, TRANSPORT_BAD_FRAME, TRANSPORT_NO_MEMORY };

int pool_init(struct pool *p, const struct tresor_conf *c, const struct token_conf *t,
              char *err, size_t errlen);
void pool_destroy(struct pool *p);
/* In a forked child: close inherited sockets without a TLS shutdown, which would corrupt the
 * parent's stream, and forget them. */
void pool_abandon(struct pool *p);
/* Sends one request frame and reads one response frame (caller frees *resp with
 * tresor_free_wiped). No lock is held while sending or receiving. */
enum transport_result pool_roundtrip(struct pool *p, const uint8_t *req, size_t n, int idempotent,
                                     uint8_t **resp, size_t *resp_len);

/* ---- KMIP messages (kmip.c) ---- */
enum {
    KMIP_OP_CREATE = 0x01, KMIP_OP_CREATE_KEY_PAIR = 0x02, KMIP_OP_LOCATE = 0x08,
    KMIP_OP_GET = 0x0A, KMIP_OP_GET_ATTRIBUTES = 0x0B, KMIP_OP_REVOKE = 0x13,
    KMIP_OP_DESTROY = 0x14, KMIP_OP_DISCOVER_VERSIONS = 0x1E, KMIP_OP_ENCRYPT = 0x1F,
    KMIP_OP_DECRYPT = 0x20, KMIP_OP_SIGN = 0x21, KMIP_OP_RNG_RETRIEVE = 0x25
};

enum {
    TAG_ACTIVATION_DATE = 0x420001, TAG_ATTRIBUTE = 0x420008, TAG_ATTRIBUTE_NAME = 0x42000A, TAG_ATTRIBUTE_VALUE = 0x42000B,
    TAG_AUTHENTICATION = 0x42000C, TAG_BATCH_COUNT = 0x42000D, TAG_BATCH_ITEM = 0x42000F,
    TAG_BLOCK_CIPHER_MODE = 0x420011, TAG_CREDENTIAL = 0x420023, TAG_CREDENTIAL_TYPE = 0x420024,
    TAG_CREDENTIAL_VALUE = 0x420025, TAG_CRYPTO_ALGORITHM = 0x420028,
    TAG_CRYPTO_LENGTH = 0x42002A, TAG_CRYPTO_PARAMETERS = 0x42002B, TAG_USAGE_MASK = 0x42002C,
    TAG_HASHING_ALGORITHM = 0x420038, TAG_IV = 0x42003D, TAG_KEY_BLOCK = 0x420040,
    TAG_KEY_FORMAT_TYPE = 0x420042, TAG_KEY_MATERIAL = 0x420043, TAG_KEY_VALUE = 0x420045,
    TAG_LINK = 0x42004A, TAG_LINK_TYPE = 0x42004B, TAG_LINKED_OBJECT_ID = 0x42004C,
    TAG_NAME = 0x420053, TAG_NAME_TYPE = 0x420054, TAG_NAME_VALUE = 0x420055,
    TAG_OBJECT_TYPE = 0x420057, TAG_OPERATION = 0x42005C, TAG_PADDING_METHOD = 0x42005F,
    TAG_PRIVATE_KEY_UID = 0x420066, TAG_PROTOCOL_VERSION = 0x420069,
    TAG_PROTOCOL_MAJOR = 0x42006A, TAG_PROTOCOL_MINOR = 0x42006B,
    TAG_PUBLIC_KEY = 0x42006D, TAG_PUBLIC_KEY_UID = 0x42006F, TAG_RECOMMENDED_CURVE = 0x420075,
    TAG_REQUEST_HEADER = 0x420077, TAG_REQUEST_MESSAGE = 0x420078,
    TAG_REQUEST_PAYLOAD = 0x420079, TAG_RESPONSE_HEADER = 0x42007A,
    TAG_RESPONSE_MESSAGE = 0x42007B, TAG_RESPONSE_PAYLOAD = 0x42007C,
    TAG_RESULT_MESSAGE = 0x42007D, TAG_RESULT_REASON = 0x42007E, TAG_RESULT_STATUS = 0x42007F,
    TAG_REVOCATION_REASON = 0x420081, TAG_REVOCATION_REASON_CODE = 0x420082,
    TAG_STATE = 0x42008D, TAG_UNIQUE_IDENTIFIER = 0x420094, TAG_VENDOR_IDENTIFICATION = 0x42009D,
    TAG_DATA = 0x4200C2, TAG_SIGNATURE_DATA = 0x4200C3, TAG_DATA_LENGTH = 0x4200C4,
    TAG_RANDOM_IV = 0x4200C5, TAG_ATTESTATION_TYPE = 0x4200C7, TAG_NONCE = 0x4200C8,
    TAG_NONCE_ID = 0x4200C9, TAG_NONCE_VALUE = 0x4200CA, TAG_ATTESTATION_MEASUREMENT = 0x4200CB,
    TAG_IV_LENGTH = 0x4200CD, TAG_TAG_LENGTH = 0x4200CE,
    TAG_ATTESTATION_CAPABLE = 0x4200D3, TAG_AE_AAD = 0x4200FE, TAG_AE_TAG = 0x4200FF,
    TAG_SALT_LENGTH = 0x420100, TAG_MASK_GENERATOR = 0x420101, TAG_MGF_HASH = 0x420102,
    TAG_P_SOURCE = 0x420103, TAG_DIGESTED_DATA = 0x420107, TAG_SENSITIVE = 0x420120,
    TAG_EXTRACTABLE = 0x420122, TAG_ATTRIBUTES = 0x420125, TAG_COMMON_ATTRIBUTES = 0x420126,
    TAG_PRIVATE_KEY_ATTRIBUTES = 0x420127, TAG_PUBLIC_KEY_ATTRIBUTES = 0x420128,
    TAG_ATTRIBUTE_REFERENCE = 0x42013B
};

enum {
    KMIP_OBJ_SYMMETRIC = 2, KMIP_OBJ_PUBLIC = 3, KMIP_OBJ_PRIVATE = 4,
    KMIP_ALG_AES = 3, KMIP_ALG_RSA = 4, KMIP_ALG_ECDSA = 6, KMIP_ALG_EC = 0x1A,
    KMIP_MODE_GCM = 9, KMIP_MODE_KEY_WRAP_PAD = 0x0C, KMIP_MODE_NIST_KEY_WRAP = 0x0D,
    KMIP_MODE_TRESOR = 0x80000001u,
    KMIP_PAD_OAEP = 2, KMIP_PAD_PKCS1 = 8, KMIP_PAD_PSS = 0x0A,
    KMIP_HASH_SHA256 = 6, KMIP_HASH_SHA384 = 7, KMIP_HASH_SHA512 = 8,
    KMIP_USAGE_SIGN = 0x1, KMIP_USAGE_VERIFY = 0x2, KMIP_USAGE_ENCRYPT = 0x4,
    KMIP_USAGE_DECRYPT = 0x8, KMIP_USAGE_WRAP = 0x10, KMIP_USAGE_UNWRAP = 0x20,
    KMIP_FORMAT_X509 = 5, KMIP_LINK_PUBLIC_KEY = 0x102, KMIP_LINK_REPLACEMENT_OBJECT = 0x106,
    KMIP_STATE_ACTIVE = 2,
    KMIP_STATE_DESTROYED = 5, KMIP_STATE_DESTROYED_COMPROMISED = 6,
    KMIP_REASON_ATTESTATION_REQUIRED = 0x14, KMIP_REASON_ATTESTATION_FAILED = 0x15
};

/* Custom attributes as KMIP 2.1 `Attribute` structures: "x-" names are set by the client
 * (Vendor Identification "x"), "y-" names by the server ("y"); KMIP 1.x knows the same names. */
#define ATTR_PKCS11_ID "x-pkcs11-id"
#define ATTR_VERSION "y-tresor-version"
#define ATTR_PRIMARY "y-tresor-primary"
#define ATTR_ATTESTED "y-tresor-attested"
#define ATTR_GENERATED "y-tresor-generated"

struct attestation_credential;

struct kmip_response {
    uint8_t *raw;
    size_t len;
    ttlv_item root;
    ttlv_item header;
    int count;
};

/* One batch item of a response: its payload (if any), status and reason. */
struct kmip_result {
    uint32_t status;
    uint32_t reason;
    ttlv_item payload;
    int has_payload;
    const uint8_t *message;
    size_t message_len;
};

typedef void (*kmip_build_fn)(ttlv_writer *w, void *arg);

struct slot;
/* Builds a request with n batch items (build writes them), sends it and checks the reply.
 * Runs the attestation round (§7) when the server asks for it. Returns CKR_OK with a parsed
 * response, or the CK_RV of the transport/codec failure. */
CK_RV kmip_exchange(struct slot *s, int n, kmip_build_fn build, void *arg, int idempotent,
                    struct kmip_response *resp);
typedef CK_RV (*kmip_exchange_fn)(struct slot *s, int n, kmip_build_fn build, void *arg,
                                  int idempotent, struct kmip_response *resp);
void kmip_response_free(struct kmip_response *r);
/* Discover Versions (the note §2): the request offers 2.1 then 1.4 under a 1.4 header, which
 * servers of either major version read. */
void kmip_discover_request(ttlv_writer *w);
enum kmip_discovery { KMIP_SPEAKS_21, KMIP_LACKS_21, KMIP_UNDECODABLE };
/* Reads the answer: the server's best common version first; a server without the operation is
 * taken to speak 2.1 (it will refuse what it cannot read). */
enum kmip_discovery kmip_discover_answer(const uint8_t *raw, size_t len, int *major, int *minor);
/* Batch item index i; returns 0 when the response lacks it. */
int kmip_result_at(const struct kmip_response *r, int i, struct kmip_result *out);
void kmip_item_begin(ttlv_writer *w, uint32_t operation);
void kmip_item_end(ttlv_writer *w);
/* Writes the header of a request (with the Attestation credential of a retry, if cred is set);
 * used by kmip_exchange and the codec tests. */
void kmip_header(ttlv_writer *w, int batch_count, const struct attestation_credential *cred);
/* Attribute{Vendor Identification "x", Attribute Name name, Attribute Value bytes}. */
void kmip_put_client_attribute(ttlv_writer *w, const char *name, const void *p, size_t n);
void kmip_put_name(ttlv_writer *w, const char *name, size_t n);
void kmip_put_uid(ttlv_writer *w, const char *uid);

/* ---- attestation (attest.c) ---- */
struct attestation_credential {
    const uint8_t *nonce_id;
    size_t nonce_id_len;
    const uint8_t *nonce_value;
    size_t nonce_value_len;
    uint32_t type;
    uint8_t *measurement;
    size_t measurement_len;
};
/* SHA-512(Nonce ID || Nonce Value || SHA-256(client certificate SPKI)). */
void attest_report_data(const uint8_t *nonce_id, size_t id_len, const uint8_t *nonce_value,
                        size_t value_len, const uint8_t spki_sha256[32], uint8_t out[64]);
/* Collects evidence for report_data; returns 1 and fills type and measurement (malloc'd). */
int attest_collect(const struct tresor_conf *c, const uint8_t report_data[64],
                   struct attestation_credential *cred);
/* Decides `attestation = auto` once, at C_Initialize: configfs-tsm if its report directory is
 * writable, else off. */
void attest_resolve(struct tresor_conf *c);
int attest_enabled(const struct tresor_conf *c);

/* C_Decrypt and C_DecryptFinal of the 3.0 interface: CKR_AEAD_DECRYPT_FAILED for a bad tag. */
CK_RV C_Decrypt_v30(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
                    CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen);
CK_RV C_DecryptFinal_v30(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
                         CK_ULONG_PTR pulLastPartLen);

/* ---- error mapping (ckr.c) ---- */
/* CKR_CTX_LOAD: loading objects' attributes (objects_load): gone or not visible to the caller →
 * CKR_OBJECT_HANDLE_INVALID, else only CKR_DEVICE_ERROR, CKR_GENERAL_ERROR or CKR_FUNCTION_FAILED.
 * CKR_CTX_FIND: the Locate of C_FindObjectsInit: only those three.
 * CKR_CTX_GENERATE: the Create / Create Key Pair of C_GenerateKey / C_GenerateKeyPair: only codes
 * v2.40 §5.14 / v3.0 §5.18 list for them (a caller that may not create keys →
 * CKR_TOKEN_WRITE_PROTECTED).
 * CKR_CTX_DESTROY: the Revoke and Destroy of C_DestroyObject: only codes v2.40 / v3.0 §5.7.3 list
 * (a caller that may not destroy keys → CKR_TOKEN_WRITE_PROTECTED).
 * CKR_CTX_RANDOM: the RNG Retrieve of C_GenerateRandom: only codes v2.40 §5.15.2 / v3.0 §5.19.2
 * list (a caller that may not draw random bytes → CKR_FUNCTION_FAILED). */
enum ckr_context { CKR_CTX_OTHER, CKR_CTX_KEY, CKR_CTX_WRAP, CKR_CTX_UNWRAP, CKR_CTX_DECRYPT,
                   CKR_CTX_LOGIN, CKR_CTX_LOAD, CKR_CTX_FIND, CKR_CTX_GENERATE, CKR_CTX_DESTROY,
                   CKR_CTX_RANDOM };
/* What a public-key attribute read answers in C_GetAttributeValue (§5.7.5) for a failed fetch of
 * the public key: a public key gone or never linked → CKR_ATTRIBUTE_TYPE_INVALID, one this caller
 * may not see → CKR_ATTRIBUTE_SENSITIVE (both for that attribute alone), else a code §5.7.5 allows. */
CK_RV ckr_for_attribute_read(CK_RV fetched);
CK_RV ckr_from_reason(uint32_t reason, enum ckr_context ctx);
/* Maps a failed batch item, records the reason for ulDeviceError and logs retry hints. */
CK_RV ckr_from_result(const struct kmip_result *r, enum ckr_context ctx, CK_ULONG *device_error);

/* ---- library state (module.c) ---- */
struct slot {
    CK_SLOT_ID id;
    const struct token_conf *token;
    struct pool pool;
    const struct tresor_conf *conf;
    atomic_int version_agreed; /* Discover Versions found 2.1 (once per C_Initialize) */
    kmip_exchange_fn exchange; /* kmip_exchange; the tests put a canned server here */
};

struct library {
    pthread_rwlock_t lock;
    struct tresor_conf conf;
    struct slot slots[TRESOR_MAX_TOKENS];
    size_t nslots;
};

extern struct library *g_lib;
/* Every entry point brackets its work with these; the shared lock only excludes C_Finalize. */
CK_RV lib_enter(void);
void lib_leave(void);
struct slot *lib_slot(CK_SLOT_ID id);

/* ---- memory ---- */
void tresor_free_wiped(void *p, size_t n);
/* Page-aligned, mlock'ed, excluded from core dumps and zeroed in forked children. */
uint8_t *secure_alloc(size_t n, size_t *mapped);
void secure_free(uint8_t *p, size_t mapped);
void pad_copy(CK_UTF8CHAR *dst, size_t dst_len, const char *src);

/* ---- objects (objects.c) ---- */
struct object {
    atomic_int refs;
    CK_OBJECT_HANDLE handle;
    CK_SLOT_ID slot;
    CK_SESSION_HANDLE owner; /* 0 for token objects */
    CK_OBJECT_CLASS cls;
    CK_KEY_TYPE key_type;
    char uid[TRESOR_UID_MAX + 1];
    char pub_uid[TRESOR_UID_MAX + 1];
    char label[TRESOR_LABEL_MAX + 1];
    uint8_t id[TRESOR_ID_MAX];
    size_t id_len;
    CK_ULONG bits;
    uint32_t usage;
    int32_t version;
    int primary, attested, sensitive, extractable, local, always_sensitive, never_extractable;
    CK_BBOOL can_encrypt, can_decrypt, can_wrap, can_unwrap, can_sign, can_verify;
    uint8_t *spki;
    size_t spki_len;
    uint8_t *secret;
    size_t secret_len;
    size_t secret_mapped;
    time_t fetched;
};

void objects_init(void);
void objects_clear(int after_fork);
struct object *object_get(CK_OBJECT_HANDLE h);
void object_put(struct object *o);
/* Publishes a new object (a refresh of a known UID keeps its handle); consumes o's reference
 * and returns a new reference to the published object. */
struct object *object_publish(struct object *o);
struct object *object_new(void);
void objects_drop_session(CK_SESSION_HANDLE owner);
void objects_drop_uid(const char *uid);
void objects_drop_handle(CK_OBJECT_HANDLE h);
/* References to the objects of a slot (caller puts each and frees the array). */
struct object **objects_snapshot(CK_SLOT_ID slot, int with_token, size_t *n);
/* Loads (or refreshes) the objects for these UIDs: one message of one Get Attributes per UID (and
 * one more for the rest after an object gone since it was located). */
CK_RV objects_load(struct slot *s, const char *const *uids, size_t n, CK_ULONG *device_error,
                   CK_OBJECT_HANDLE *handles);
/* Loads the objects a Create or Create Key Pair just made (a pair's two halves in one message of
 * two items, never a second one); each must be loaded, else CKR_FUNCTION_FAILED (the key exists,
 * but cannot be shown) and no handle is given out. */
CK_RV objects_load_created(struct slot *s, const char *const *uids, size_t n,
                           CK_ULONG *device_error, CK_OBJECT_HANDLE *handles);
/* One Get Attributes naming every attribute an object is built from (standard ones by tag,
 * x-pkcs11-id and Tresor's y-tresor-* by Vendor Identification and name). */
void kmip_put_object_attributes(ttlv_writer *w, const char *uid);
/* Publishes the objects of a response of one kmip_put_object_attributes item per UID, in order,
 * and counts the items answered (fewer than n, with CKR_OK, when the server stopped the batch
 * after an object gone since it was located). handles[i] stays CK_INVALID_HANDLE for an object
 * this library cannot present or one gone unless `alone`; any other refused item (and with
 * `alone` a gone one too) is the call's error. */
CK_RV objects_from_response(CK_SLOT_ID slot, const char *const *uids, size_t n, int alone,
                            const struct kmip_response *resp, CK_ULONG *device_error,
                            CK_OBJECT_HANDLE *handles, size_t *answered);
/* A reference to an object of this slot, or NULL. */
struct object *object_for_session(CK_OBJECT_HANDLE h, CK_SLOT_ID slot);
/* Template helpers. */
const CK_ATTRIBUTE *template_find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type);
int template_bool(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, int dflt, int *out);
int template_ulong(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, CK_ULONG *out);
/* A session object holding secret bytes (copied into locked memory). */
CK_RV object_new_session_secret(CK_SLOT_ID slot, CK_SESSION_HANDLE owner, CK_KEY_TYPE kt,
                                const uint8_t *value, size_t len, const CK_ATTRIBUTE *t,
                                CK_ULONG n, int unwrapped, CK_OBJECT_HANDLE *out);
/* An attribute's value: small values live in the buffer, larger ones in dyn (free it). */
struct attr_buf {
    uint8_t small[16];
    uint8_t *dyn;
    const void *value;
    size_t len;
};
/* CKR_OK with b filled; ATTRIBUTE_SENSITIVE; ATTRIBUTE_TYPE_INVALID; or an I/O failure. */
CK_RV object_attribute(struct slot *s, struct object *o, CK_ATTRIBUTE_TYPE t, struct attr_buf *b,
                       CK_ULONG *device_error);
/* Loads the public key (SPKI) for an RSA/EC object, fetching it with Get if needed. */
EVP_PKEY *object_public_key(struct slot *s, struct object *o, CK_ULONG *device_error, CK_RV *rv);

/* The token object of another version of the same key (Tresor ciphertexts name theirs). */
CK_RV find_key_version(struct slot *sl, const struct object *key, uint32_t version,
                       struct object **out, CK_ULONG *device_error);

/* ---- sessions (session.c) ---- */
enum op_kind { OP_NONE, OP_ENCRYPT, OP_DECRYPT, OP_SIGN, OP_VERIFY, OP_FIND };

struct operation {
    enum op_kind kind;
    CK_MECHANISM_TYPE mech;
    struct object *key;
    uint8_t iv[12];
    int has_iv;
    uint8_t *aad;
    size_t aad_len;
    size_t tag_len;
    const EVP_MD *md;
    const EVP_MD *mgf_md;
    int salt_len;
    uint8_t *label;
    size_t label_len;
    uint8_t *buf; /* multi-part input, up to TRESOR_MAX_DATA */
    size_t buf_len;
    EVP_MD_CTX *md_ctx;
    uint8_t *result; /* a finished result kept for the two-call convention */
    size_t result_len;
    CK_OBJECT_HANDLE *found;
    size_t found_n, found_pos;
    int multipart;
};

struct session {
    CK_SESSION_HANDLE handle;
    CK_SLOT_ID slot;
    CK_FLAGS flags;
    atomic_int refs;
    pthread_mutex_t mu;
    int busy;
    CK_ULONG device_error;
    struct operation op;
    /* The last C_WrapKey result, kept so that a retry after BUFFER_TOO_SMALL needs no I/O. */
    uint8_t *wrapped;
    size_t wrapped_len;
    CK_MECHANISM_TYPE wrapped_mech;
    CK_OBJECT_HANDLE wrapped_kek, wrapped_key;
};

void sessions_init(void);
void sessions_clear(void);
/* A counted reference to an open session (inside lib_enter/lib_leave). */
CK_RV session_acquire(CK_SESSION_HANDLE h, struct session **out);
void session_release(struct session *s);
/* lib_enter + session_acquire, and their reverse. */
CK_RV session_enter(CK_SESSION_HANDLE h, struct session **out);
void session_leave(struct session *s);
/* Enters the library and claims the session's operation of this kind (OP_NONE: a new one may
 * be started); a concurrent call on the same operation gets OPERATION_ACTIVE. */
CK_RV op_claim(CK_SESSION_HANDLE h, enum op_kind kind, struct session **out);
/* Ends the claim: on rv other than OK/BUFFER_TOO_SMALL, or when done, the operation ends. */
CK_RV op_release(struct session *s, CK_RV rv, int done);
void operation_reset(struct operation *op);
int logged_in(CK_SLOT_ID slot);

/* ---- mechanism parameters and the output convention (mech.c) ---- */
const EVP_MD *md_for_mech(CK_MECHANISM_TYPE hash_mech);
uint32_t kmip_hash_for_md(const EVP_MD *md);
CK_RV mech_parse_gcm(const CK_MECHANISM *m, struct operation *op);
CK_RV mech_parse_aad(const CK_MECHANISM *m, struct operation *op);
CK_RV mech_parse_oaep(const CK_MECHANISM *m, struct operation *op);
CK_RV mech_parse_pss(const CK_MECHANISM *m, CK_MECHANISM_TYPE digest_mech, struct operation *op);
CK_RV mech_parse_wrap_iv(const CK_MECHANISM *m);
/* Copies a finished result out: NULL buffer → length only; short buffer → BUFFER_TOO_SMALL
 * (the result stays for the retry); otherwise *done is set. */
CK_RV output_result(struct operation *op, CK_BYTE_PTR out, CK_ULONG_PTR out_len, int *done);
CK_RV append_input(struct operation *op, const uint8_t *p, CK_ULONG n, size_t limit);
int set_result(struct operation *op, const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

/* ---- KMIP Encrypt / Decrypt / Sign (crypt.c) ---- */
struct crypto_params {
    uint32_t mode, padding, hash, alg, tag_len, mgf_hash;
    int random_iv;
    int32_t salt_len; /* -1: absent */
    const uint8_t *p_source;
    size_t p_source_len;
};

struct crypto_call {
    uint32_t operation;
    const char *uid;
    struct crypto_params cp;
    uint32_t data_tag; /* TAG_DATA or TAG_DIGESTED_DATA */
    const uint8_t *data;
    size_t data_len;
    const uint8_t *iv;
    size_t iv_len;
    const uint8_t *aad;
    size_t aad_len;
    const uint8_t *tag;
    size_t tag_len;
};

/* Runs one crypto operation; on CKR_OK *payload points into resp (free it after use). */
CK_RV crypto_call_run(struct slot *sl, const struct crypto_call *c, enum ckr_context ctx,
                      CK_ULONG *device_error, struct kmip_response *resp, ttlv_item *payload);
/* OAEP or raw RSA public-key encryption done locally. */
CK_RV rsa_oaep_encrypt_local(struct slot *sl, struct object *key, const struct operation *op,
                             const uint8_t *in, size_t n, uint8_t **out, size_t *out_len,
                             CK_ULONG *device_error);
int ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t field, uint8_t *out);
void session_set_device_error(struct session *s, CK_ULONG device_error);

#endif
