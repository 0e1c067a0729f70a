/* Sessions, their single active operation, and login state. */
#include "tresor.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t g_sessions_mu;
static struct session **g_sessions; /* index = handle - 1; NULL marks a free entry */
static size_t g_sessions_cap;
static atomic_int g_logged_in[TRESOR_MAX_TOKENS];

void sessions_init(void)
{
    pthread_mutex_init(&g_sessions_mu, NULL);
    g_sessions = NULL;
    g_sessions_cap = 0;
    for (int i = 0; i < TRESOR_MAX_TOKENS; i++)
        atomic_store(&g_logged_in[i], 0);
}

void operation_reset(struct operation *op)
{
    object_put(op->key);
    tresor_free_wiped(op->aad, op->aad_len);
    tresor_free_wiped(op->label, op->label_len);
    tresor_free_wiped(op->buf, TRESOR_MAX_DATA);
    tresor_free_wiped(op->result, op->result_len);
    EVP_MD_CTX_free(op->md_ctx);
    free(op->found);
    OPENSSL_cleanse(op, sizeof(*op));
}

static void session_free(struct session *s)
{
    operation_reset(&s->op);
    tresor_free_wiped(s->wrapped, s->wrapped_len);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* Called with g_lib's lock held exclusively (C_Finalize) or in a forked child. */
void sessions_clear(void)
{
    for (size_t i = 0; i < g_sessions_cap; i++)
        if (g_sessions[i])
            session_free(g_sessions[i]);
    free(g_sessions);
    g_sessions = NULL;
    g_sessions_cap = 0;
}

int logged_in(CK_SLOT_ID slot) { return slot < TRESOR_MAX_TOKENS && g_logged_in[slot]; }

CK_RV session_acquire(CK_SESSION_HANDLE h, struct session **out)
{
    struct session *s = NULL;
    pthread_mutex_lock(&g_sessions_mu);
    if (h >= 1 && h <= g_sessions_cap && (s = g_sessions[h - 1]) != NULL)
        atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&g_sessions_mu);
    *out = s;
    return s ? CKR_OK : CKR_SESSION_HANDLE_INVALID;
}

void session_release(struct session *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        session_free(s);
}

CK_RV session_enter(CK_SESSION_HANDLE h, struct session **out)
{
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    rv = session_acquire(h, out);
    if (rv != CKR_OK)
        lib_leave();
    return rv;
}

void session_leave(struct session *s)
{
    session_release(s);
    lib_leave();
}

CK_RV op_claim(CK_SESSION_HANDLE h, enum op_kind kind, struct session **out)
{
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    struct session *s;
    rv = session_acquire(h, &s);
    if (rv == CKR_OK) {
        pthread_mutex_lock(&s->mu);
        if (s->busy || (kind == OP_NONE && s->op.kind != OP_NONE))
            rv = CKR_OPERATION_ACTIVE;
        else if (kind != OP_NONE && s->op.kind != kind)
            rv = CKR_OPERATION_NOT_INITIALIZED;
        else
            s->busy = 1;
        pthread_mutex_unlock(&s->mu);
        if (rv != CKR_OK)
            session_release(s);
    }
    if (rv != CKR_OK) {
        lib_leave();
        return rv;
    }
    *out = s;
    return CKR_OK;
}

CK_RV op_release(struct session *s, CK_RV rv, int done)
{
    pthread_mutex_lock(&s->mu);
    if (done || (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL))
        operation_reset(&s->op);
    s->busy = 0;
    pthread_mutex_unlock(&s->mu);
    session_release(s);
    lib_leave();
    return rv;
}

static CK_RV register_session(struct session *s)
{
    CK_RV rv = CKR_OK;
    pthread_mutex_lock(&g_sessions_mu);
    size_t i = 0;
    while (i < g_sessions_cap && g_sessions[i])
        i++;
    if (i == g_sessions_cap) {
        size_t cap = g_sessions_cap ? g_sessions_cap * 2 : 64;
        struct session **grown = realloc(g_sessions, cap * sizeof(*grown));
        if (grown) {
            memset(grown + g_sessions_cap, 0, (cap - g_sessions_cap) * sizeof(*grown));
            g_sessions = grown;
            g_sessions_cap = cap;
        } else {
            rv = CKR_HOST_MEMORY;
        }
    }
    if (rv == CKR_OK) {
        g_sessions[i] = s;
        s->handle = i + 1;
    }
    pthread_mutex_unlock(&g_sessions_mu);
    return rv;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, void *pApplication, CK_NOTIFY Notify,
                    CK_SESSION_HANDLE_PTR phSession)
{
    (void)pApplication;
    (void)Notify;
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    struct session *s = NULL;
    if (!lib_slot(slotID))
        rv = CKR_SLOT_ID_INVALID;
    else if (!phSession)
        rv = CKR_ARGUMENTS_BAD;
    else if (!(flags & CKF_SERIAL_SESSION))
        rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    else if (!(s = calloc(1, sizeof(*s))) || pthread_mutex_init(&s->mu, NULL) != 0)
        rv = CKR_HOST_MEMORY;
    if (rv == CKR_OK) {
        s->slot = slotID;
        s->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
        atomic_init(&s->refs, 1);
        rv = register_session(s);
        if (rv == CKR_OK)
            *phSession = s->handle;
    }
    if (rv != CKR_OK)
        free(s);
    lib_leave();
    return rv;
}

/* Removes the session from the table; it is freed when its last user releases it. */
static void close_session(struct session *s)
{
    pthread_mutex_lock(&g_sessions_mu);
    int present = s->handle <= g_sessions_cap && g_sessions[s->handle - 1] == s;
    if (present)
        g_sessions[s->handle - 1] = NULL;
    pthread_mutex_unlock(&g_sessions_mu);
    if (!present)
        return;
    objects_drop_session(s->handle);
    session_release(s);
}

static int other_sessions_on_slot(CK_SLOT_ID slot)
{
    int found = 0;
    pthread_mutex_lock(&g_sessions_mu);
    for (size_t i = 0; i < g_sessions_cap && !found; i++)
        found = g_sessions[i] && g_sessions[i]->slot == slot;
    pthread_mutex_unlock(&g_sessions_mu);
    return found;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    CK_SLOT_ID slot = s->slot;
    close_session(s);
    if (!other_sessions_on_slot(slot))
        g_logged_in[slot] = 0;
    session_leave(s);
    return CKR_OK;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
    CK_RV rv = lib_enter();
    if (rv != CKR_OK)
        return rv;
    if (!lib_slot(slotID)) {
        lib_leave();
        return CKR_SLOT_ID_INVALID;
    }
    for (;;) {
        struct session *s = NULL;
        pthread_mutex_lock(&g_sessions_mu);
        for (size_t i = 0; i < g_sessions_cap && !s; i++)
            if (g_sessions[i] && g_sessions[i]->slot == slotID) {
                s = g_sessions[i];
                atomic_fetch_add(&s->refs, 1);
            }
        pthread_mutex_unlock(&g_sessions_mu);
        if (!s)
            break;
        close_session(s);
        session_release(s);
    }
    g_logged_in[slotID] = 0;
    lib_leave();
    return CKR_OK;
}

/* The 3.0 C_SessionCancel: ends the session's operation if flags name its kind (JDK 25's
 * SunPKCS11 resets an AEAD cipher this way); naming an idle kind is no error. An operation
 * another thread is inside of cannot be cancelled. */
CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
    static const CK_FLAGS KIND_FLAG[] = {[OP_NONE] = 0, [OP_ENCRYPT] = CKF_ENCRYPT, [OP_DECRYPT] = CKF_DECRYPT,
                                         [OP_SIGN] = CKF_SIGN, [OP_VERIFY] = CKF_VERIFY,
                                         [OP_FIND] = CKF_FIND_OBJECTS};
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    pthread_mutex_lock(&s->mu);
    if (flags & KIND_FLAG[s->op.kind]) {
        if (s->busy)
            rv = CKR_OPERATION_CANCEL_FAILED;
        else
            operation_reset(&s->op);
    }
    pthread_mutex_unlock(&s->mu);
    session_leave(s);
    return rv;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO *pInfo)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    if (pInfo) {
        int rw = (s->flags & CKF_RW_SESSION) != 0, user = logged_in(s->slot);
        pInfo->slotID = s->slot;
        pInfo->flags = s->flags;
        pInfo->state = rw ? (user ? CKS_RW_USER_FUNCTIONS : CKS_RW_PUBLIC_SESSION)
                          : (user ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION);
        pthread_mutex_lock(&s->mu);
        pInfo->ulDeviceError = s->device_error;
        pthread_mutex_unlock(&s->mu);
    }
    session_leave(s);
    return pInfo ? CKR_OK : CKR_ARGUMENTS_BAD;
}

/* Any PIN is accepted for the user (the mTLS certificate is the credential); SO is locked. */
CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
              CK_ULONG ulPinLen)
{
    (void)pPin;
    (void)ulPinLen;
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    if (userType == CKU_SO)
        rv = CKR_PIN_LOCKED;
    else if (userType == CKU_CONTEXT_SPECIFIC)
        rv = CKR_OPERATION_NOT_INITIALIZED;
    else if (userType != CKU_USER)
        rv = CKR_USER_TYPE_INVALID;
    else if (atomic_exchange(&g_logged_in[s->slot], 1))
        rv = CKR_USER_ALREADY_LOGGED_IN;
    session_leave(s);
    return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
    struct session *s;
    CK_RV rv = session_enter(hSession, &s);
    if (rv != CKR_OK)
        return rv;
    if (!atomic_exchange(&g_logged_in[s->slot], 0))
        rv = CKR_USER_NOT_LOGGED_IN;
    session_leave(s);
    return rv;
}
