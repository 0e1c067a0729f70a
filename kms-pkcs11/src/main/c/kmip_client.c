/*
 * The connection pool: lazily opened mutual-TLS connections to one KMIP server, shared by all
 * sessions of a slot. The pool mutex only guards the idle list; connecting, sending and
 * receiving happen outside it.
 */
#include "tresor.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define IDLE_CLOSE_SECONDS 60

struct conn {
    int fd;
    SSL *ssl;
    time_t last_used;
};

static time_t now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static int ssl_fail(char *err, size_t errlen, const char *what, const char *path)
{
    char reason[160];
    ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
    ERR_clear_error();
    snprintf(err, errlen, "%s %s: %s", what, path, reason);
    return 0;
}

static int spki_digest(SSL_CTX *ctx, uint8_t out[32])
{
    X509 *cert = SSL_CTX_get0_certificate(ctx);
    unsigned char *der = NULL;
    int n = cert ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) : -1;
    if (n <= 0)
        return 0;
    unsigned int len = 0;
    int ok = EVP_Digest(der, (size_t)n, out, &len, EVP_sha256(), NULL);
    OPENSSL_free(der);
    return ok && len == 32;
}

int pool_init(struct pool *p, const struct tresor_conf *c, const struct token_conf *t,
              char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    const char *cert = t->cert ? t->cert : c->cert;
    const char *key = t->key ? t->key : c->key;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        snprintf(err, errlen, "cannot create a TLS context");
        return 0;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
    int ok = SSL_CTX_load_verify_locations(ctx, c->ca, NULL) == 1 ||
             ssl_fail(err, errlen, "cannot load CA certificate", c->ca);
    ok = ok && (SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 ||
                ssl_fail(err, errlen, "cannot load client certificate", cert));
    ok = ok && (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 ||
                ssl_fail(err, errlen, "cannot load client key", key));
    ok = ok && (SSL_CTX_check_private_key(ctx) == 1 ||
                ssl_fail(err, errlen, "client key does not match certificate", cert));
    ok = ok && (spki_digest(ctx, p->cert_spki_sha256) ||
                ssl_fail(err, errlen, "cannot read the public key of", cert));
    if (!ok || pthread_mutex_init(&p->mu, NULL) != 0) {
        SSL_CTX_free(ctx);
        return 0;
    }
    p->ctx = ctx;
    p->host = c->host;
    p->port = c->port;
    p->max_idle = c->pool_max;
    p->connect_timeout_ms = c->connect_timeout_ms;
    p->request_timeout_ms = c->request_timeout_ms;
    return 1;
}

static void conn_close(struct conn *cn, int graceful)
{
    if (!cn)
        return;
    if (cn->ssl) {
        if (graceful)
            SSL_shutdown(cn->ssl);
        SSL_free(cn->ssl);
    }
    if (cn->fd >= 0)
        close(cn->fd);
    free(cn);
}

void pool_destroy(struct pool *p)
{
    if (!p->ctx)
        return;
    for (int i = 0; i < p->n_idle; i++)
        conn_close(p->idle[i], 1);
    pthread_mutex_destroy(&p->mu);
    SSL_CTX_free(p->ctx);
    memset(p, 0, sizeof(*p));
}

void pool_abandon(struct pool *p)
{
    if (!p->ctx)
        return;
    for (int i = 0; i < p->n_idle; i++)
        conn_close(p->idle[i], 0);
    SSL_CTX_free(p->ctx);
    memset(p, 0, sizeof(*p));
}

static int connect_with_timeout(int fd, const struct sockaddr *addr, socklen_t len, int ms)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return 0;
    int r = connect(fd, addr, len);
    if (r != 0 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        r = poll(&pfd, 1, ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
                    soerr == 0 ? 0 : -1;
    }
    return r == 0 && fcntl(fd, F_SETFL, flags) == 0;
}

/* The server certificate must name the configured host: a DNS name (also sent as SNI) or an
 * IP address literal (checked against the IP SANs; SNI carries no addresses). */
static int expect_server_name(SSL *ssl, const char *host)
{
    unsigned char addr[16];
    if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
    return SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_set1_host(ssl, host) == 1;
}

static struct conn *conn_open(struct pool *p)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC}, *res = NULL;
    if (getaddrinfo(p->host, p->port, &hints, &res) != 0)
        return NULL;
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && !connect_with_timeout(fd, ai->ai_addr, ai->ai_addrlen,
                                             p->connect_timeout_ms)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return NULL;
    struct timeval tv = {.tv_sec = p->request_timeout_ms / 1000,
                         .tv_usec = (p->request_timeout_ms % 1000) * 1000};
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* one request, one response */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct conn *cn = calloc(1, sizeof(*cn));
    SSL *ssl = SSL_new(p->ctx);
    if (!cn || !ssl || !SSL_set_fd(ssl, fd) || !expect_server_name(ssl, p->host) ||
        SSL_connect(ssl) != 1) {
        ERR_clear_error();
        SSL_free(ssl);
        free(cn);
        close(fd);
        return NULL;
    }
    cn->fd = fd;
    cn->ssl = ssl;
    return cn;
}

/* An idle connection the server has closed (or that has unexpected bytes) is readable. */
static int conn_alive(const struct conn *cn)
{
    struct pollfd pfd = {.fd = cn->fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 0 && SSL_pending(cn->ssl) == 0;
}

static struct conn *take_idle(struct pool *p)
{
    struct conn *found = NULL, *stale[TRESOR_POOL_MAX];
    int n_stale = 0;
    time_t now = now_mono();
    pthread_mutex_lock(&p->mu);
    while (!found && p->n_idle > 0) {
        struct conn *cn = p->idle[--p->n_idle];
        if (now - cn->last_used < IDLE_CLOSE_SECONDS && conn_alive(cn))
            found = cn;
        else
            stale[n_stale++] = cn;
    }
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < n_stale; i++)
        conn_close(stale[i], 0);
    return found;
}

static void give_back(struct pool *p, struct conn *cn)
{
    cn->last_used = now_mono();
    pthread_mutex_lock(&p->mu);
    if (p->n_idle < p->max_idle) {
        p->idle[p->n_idle++] = cn;
        cn = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    conn_close(cn, 1);
}

static int read_full(SSL *ssl, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t r = 0;
        if (SSL_read_ex(ssl, buf + got, n - got, &r) != 1)
            return 0;
        got += r;
    }
    return 1;
}

enum attempt { ATTEMPT_OK, ATTEMPT_UNSENT, ATTEMPT_SENT, ATTEMPT_BAD_FRAME, ATTEMPT_NO_MEMORY };

static enum attempt attempt(struct conn *cn, const uint8_t *req, size_t n, uint8_t **resp,
                            size_t *resp_len)
{
    size_t written = 0;
    if (SSL_write_ex(cn->ssl, req, n, &written) != 1 || written != n)
        return written == 0 ? ATTEMPT_UNSENT : ATTEMPT_SENT;
    uint8_t header[8];
    if (!read_full(cn->ssl, header, sizeof(header)))
        return ATTEMPT_SENT;
    size_t total = ttlv_frame_size(header);
    if (total == 0 || header[0] != 0x42 || header[1] != 0x00 || header[2] != 0x7B)
        return ATTEMPT_BAD_FRAME;
    uint8_t *buf = malloc(total);
    if (!buf)
        return ATTEMPT_NO_MEMORY;
    memcpy(buf, header, sizeof(header));
    if (!read_full(cn->ssl, buf + 8, total - 8)) {
        tresor_free_wiped(buf, total);
        return ATTEMPT_SENT;
    }
    *resp = buf;
    *resp_len = total;
    return ATTEMPT_OK;
}

enum transport_result pool_roundtrip(struct pool *p, const uint8_t *req, size_t n, int idempotent,
                                     uint8_t **resp, size_t *resp_len)
{
    for (int tries = 0; tries < 2; tries++) {
        struct conn *cn = take_idle(p);
        if (!cn)
            cn = conn_open(p);
        if (!cn)
            return TRANSPORT_FAILED;
        enum attempt a = attempt(cn, req, n, resp, resp_len);
        ERR_clear_error();
        if (a == ATTEMPT_OK) {
            give_back(p, cn);
            return TRANSPORT_OK;
        }
        conn_close(cn, 0);
        if (a == ATTEMPT_BAD_FRAME)
            return TRANSPORT_BAD_FRAME;
        if (a == ATTEMPT_NO_MEMORY)
            return TRANSPORT_NO_MEMORY;
        /* Retry once on a fresh connection when the request cannot have been applied twice. */
        if (a == ATTEMPT_SENT && !idempotent)
            return TRANSPORT_FAILED;
    }
    return TRANSPORT_FAILED;
}
