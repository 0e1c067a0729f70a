/*
 * Evidence for the KMIP attestation credential (PKCS11.md §7): Linux configfs-tsm reports, or a
 * command named in the configuration that prints the evidence for a given REPORT_DATA.
 */
#include "tresor.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_TSM_ROOT "/sys/kernel/config/tsm"
#define EVIDENCE_MAX (256u * 1024u)
#define TYPE_SEV_SNP 0x80000001u
#define TYPE_TDX 0x80000002u

static atomic_uint report_counter;

void attest_report_data(const uint8_t *nonce_id, size_t id_len, const uint8_t *nonce_value,
                        size_t value_len, const uint8_t spki_sha256[32], uint8_t out[64])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    if (!md || !EVP_DigestInit_ex(md, EVP_sha512(), NULL) ||
        !EVP_DigestUpdate(md, nonce_id, id_len) || !EVP_DigestUpdate(md, nonce_value, value_len) ||
        !EVP_DigestUpdate(md, spki_sha256, 32) || !EVP_DigestFinal_ex(md, out, &n))
        memset(out, 0, 64);
    EVP_MD_CTX_free(md);
}

static const char *tsm_root(const struct tresor_conf *c)
{
    return c->tsm_root ? c->tsm_root : DEFAULT_TSM_ROOT;
}

void attest_resolve(struct tresor_conf *c)
{
    char path[512];
    if (c->attestation != ATTEST_AUTO)
        return;
    snprintf(path, sizeof(path), "%s/report", tsm_root(c));
    c->attestation = access(path, W_OK) == 0 ? ATTEST_TSM : ATTEST_OFF;
}

int attest_enabled(const struct tresor_conf *c) { return c->attestation != ATTEST_OFF; }

/* Reads a whole file of at most EVIDENCE_MAX bytes; returns a malloc'd buffer or NULL. */
static uint8_t *read_file(const char *path, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    uint8_t *buf = malloc(EVIDENCE_MAX);
    size_t got = 0;
    ssize_t r = 1;
    while (buf && got < EVIDENCE_MAX && (r = read(fd, buf + got, EVIDENCE_MAX - got)) > 0)
        got += (size_t)r;
    close(fd);
    if (!buf || r < 0 || got == EVIDENCE_MAX) {
        free(buf);
        return NULL;
    }
    *n = got;
    return buf;
}

static int write_file(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t w = write(fd, p, n);
    return close(fd) == 0 && w == (ssize_t)n;
}

static int read_generation(const char *dir, long *out)
{
    char path[600];
    size_t n = 0;
    snprintf(path, sizeof(path), "%s/generation", dir);
    uint8_t *text = read_file(path, &n);
    if (!text)
        return 0;
    char tmp[32] = {0};
    memcpy(tmp, text, n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1);
    free(text);
    *out = strtol(tmp, NULL, 10);
    return 1;
}

static int collect_tsm(const struct tresor_conf *c, const uint8_t rd[64],
                       struct attestation_credential *cred)
{
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/report/tresor-%ld-%u", tsm_root(c), (long)getpid(),
             atomic_fetch_add(&report_counter, 1));
    if (mkdir(dir, 0700) != 0)
        return 0;
    long gen_before = -1, gen_after = -2;
    size_t out_n = 0, aux_n = 0, prov_n = 0;
    uint8_t *out = NULL, *aux = NULL, *prov = NULL;
    snprintf(path, sizeof(path), "%s/inblob", dir);
    int ok = write_file(path, rd, 64) && read_generation(dir, &gen_before);
    snprintf(path, sizeof(path), "%s/outblob", dir);
    ok = ok && (out = read_file(path, &out_n)) != NULL && out_n > 0;
    snprintf(path, sizeof(path), "%s/auxblob", dir);
    if (ok)
        aux = read_file(path, &aux_n);
    snprintf(path, sizeof(path), "%s/provider", dir);
    ok = ok && (prov = read_file(path, &prov_n)) != NULL;
    ok = ok && read_generation(dir, &gen_after) && gen_before == gen_after;
    rmdir(dir);
    if (ok && prov_n >= 9 && !memcmp(prov, "sev_guest", 9))
        cred->type = TYPE_SEV_SNP;
    else if (ok && prov_n >= 9 && !memcmp(prov, "tdx_guest", 9))
        cred->type = TYPE_TDX;
    else
        ok = 0;
    /* SEV-SNP: the fixed-size report followed by the certificate table from auxblob. */
    size_t total = out_n + (aux ? aux_n : 0);
    if (ok && (cred->measurement = malloc(total)) != NULL) {
        memcpy(cred->measurement, out, out_n);
        if (aux)
            memcpy(cred->measurement + out_n, aux, aux_n);
        cred->measurement_len = total;
    } else {
        ok = 0;
    }
    free(out);
    free(aux);
    free(prov);
    return ok;
}

static int collect_command(const struct tresor_conf *c, const uint8_t rd[64],
                           struct attestation_credential *cred)
{
    char hex[129];
    for (int i = 0; i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", rd[i]);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        execl(c->attestation_command, c->attestation_command, hex, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    uint8_t *buf = pid > 0 ? malloc(EVIDENCE_MAX) : NULL;
    size_t got = 0;
    ssize_t r = 1;
    while (buf && got < EVIDENCE_MAX && (r = read(fds[0], buf + got, EVIDENCE_MAX - got)) > 0)
        got += (size_t)r;
    close(fds[0]);
    int status = 0;
    int ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
             WEXITSTATUS(status) == 0 && buf && r >= 0 && got > 0 && got < EVIDENCE_MAX;
    if (!ok) {
        free(buf);
        return 0;
    }
    cred->type = c->attestation_type;
    cred->measurement = buf;
    cred->measurement_len = got;
    return 1;
}

int attest_collect(const struct tresor_conf *c, const uint8_t report_data[64],
                   struct attestation_credential *cred)
{
    int ok = c->attestation == ATTEST_COMMAND ? collect_command(c, report_data, cred)
                                              : collect_tsm(c, report_data, cred);
    if (!ok)
        fprintf(stderr, "tresor-pkcs11: the key requires attestation and no evidence could be "
                        "collected (%s)\n", c->attestation == ATTEST_COMMAND ?
                        c->attestation_command : tsm_root(c));
    return ok;
}
