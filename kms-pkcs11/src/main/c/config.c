/*
 * The configuration file: `key = value` lines, `#` comments, and one `[token LABEL]` section
 * per token. docs/pkcs11.md is the reference for every key.
 */
#include "tresor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONF_MAX_SIZE (64u * 1024u)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

static int set_string(char **dst, const char *v)
{
    char *copy = strdup(v);
    if (!copy)
        return 0;
    free(*dst);
    *dst = copy;
    return 1;
}

static int set_fixed(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap)
        return 0;
    memcpy(dst, v, n + 1);
    return 1;
}

static int parse_int(const char *v, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return 0;
    *out = (int)x;
    return 1;
}

/* host, host:port, [v6] or [v6]:port; the port defaults to 5696. */
static int parse_server(struct tresor_conf *c, const char *v)
{
    const char *host = v, *port = NULL;
    size_t host_len;
    if (*v == '[') {
        const char *close = strchr(v, ']');
        if (!close || (close[1] && close[1] != ':'))
            return 0;
        host = v + 1;
        host_len = (size_t)(close - host);
        port = close[1] ? close + 2 : NULL;
    } else {
        const char *colon = strchr(v, ':');
        if (colon && strchr(colon + 1, ':'))
            return 0; /* a bare IPv6 address needs brackets */
        host_len = colon ? (size_t)(colon - v) : strlen(v);
        port = colon ? colon + 1 : NULL;
    }
    if (host_len == 0 || host_len >= sizeof(c->host))
        return 0;
    memcpy(c->host, host, host_len);
    c->host[host_len] = '\0';
    int n = 5696;
    if (port && !parse_int(port, 1, 65535, &n))
        return 0;
    snprintf(c->port, sizeof(c->port), "%d", n);
    return 1;
}

static int global_key(struct tresor_conf *c, const char *k, const char *v)
{
    if (!strcmp(k, "server"))
        return parse_server(c, v);
    if (!strcmp(k, "ca"))
        return set_string(&c->ca, v);
    if (!strcmp(k, "cert"))
        return set_string(&c->cert, v);
    if (!strcmp(k, "key"))
        return set_string(&c->key, v);
    if (!strcmp(k, "attestation")) {
        static const char *const modes[] = {"auto", "off", "tsm", "command"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(v, modes[i])) {
                c->attestation = (enum attestation_mode)i;
                return 1;
            }
        return 0;
    }
    if (!strcmp(k, "tsm_root"))
        return set_string(&c->tsm_root, v);
    if (!strcmp(k, "attestation_command"))
        return set_string(&c->attestation_command, v);
    if (!strcmp(k, "attestation_type")) {
        char *end;
        errno = 0;
        unsigned long t = strtoul(v, &end, 0);
        if (errno || end == v || *end || t == 0 || t > UINT32_MAX)
            return 0;
        c->attestation_type = (uint32_t)t;
        return 1;
    }
    if (!strcmp(k, "dual_use")) {
        if (strcmp(v, "single") && strcmp(v, "reject"))
            return 0;
        c->dual_use_reject = !strcmp(v, "reject");
        return 1;
    }
    if (!strcmp(k, "pool_size"))
        return parse_int(v, 1, TRESOR_POOL_MAX, &c->pool_max);
    if (!strcmp(k, "connect_timeout_ms"))
        return parse_int(v, 100, 600000, &c->connect_timeout_ms);
    if (!strcmp(k, "request_timeout_ms"))
        return parse_int(v, 100, 600000, &c->request_timeout_ms);
    return -1;
}

static int token_key(struct token_conf *t, const char *k, const char *v)
{
    if (!strcmp(k, "project"))
        return set_fixed(t->project, sizeof(t->project), v);
    if (!strcmp(k, "cert"))
        return set_string(&t->cert, v);
    if (!strcmp(k, "key"))
        return set_string(&t->key, v);
    return -1;
}

static int begin_token(struct tresor_conf *c, char *line, int lineno, char *err, size_t errlen)
{
    size_t n = strlen(line);
    if (n < 2 || line[n - 1] != ']' || strncmp(line, "[token", 6) != 0 ||
        (line[6] != ' ' && line[6] != '\t'))
        return fail(err, errlen, "line %d: expected a section header `[token LABEL]`", lineno);
    line[n - 1] = '\0';
    char *label = trim(line + 6);
    if (c->ntokens == TRESOR_MAX_TOKENS)
        return fail(err, errlen, "line %d: more than %d tokens", lineno, TRESOR_MAX_TOKENS);
    struct token_conf *t = &c->tokens[c->ntokens];
    if (!set_fixed(t->label, sizeof(t->label), label))
        return fail(err, errlen, "line %d: a token label must be 1 to 32 bytes", lineno);
    for (size_t i = 0; i < c->ntokens; i++)
        if (!strcmp(c->tokens[i].label, t->label))
            return fail(err, errlen, "line %d: token `%s` is defined twice", lineno, label);
    c->ntokens++;
    return 1;
}

static int check_complete(const struct tresor_conf *c, char *err, size_t errlen)
{
    if (!c->host[0])
        return fail(err, errlen, "missing `server = host:port`");
    if (!c->ca)
        return fail(err, errlen, "missing `ca = <path to the server CA certificate>`");
    if (c->ntokens == 0)
        return fail(err, errlen, "no `[token LABEL]` section");
    for (size_t i = 0; i < c->ntokens; i++) {
        const struct token_conf *t = &c->tokens[i];
        if (!t->project[0])
            return fail(err, errlen, "token `%s` has no `project`", t->label);
        if (!(t->cert ? t->cert : c->cert) || !(t->key ? t->key : c->key))
            return fail(err, errlen, "token `%s` has no client `cert` and `key`", t->label);
    }
    if (c->attestation == ATTEST_COMMAND && !c->attestation_command)
        return fail(err, errlen, "`attestation = command` needs `attestation_command`");
    return 1;
}

int conf_parse(const char *text, size_t n, struct tresor_conf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->attestation = ATTEST_AUTO;
    out->attestation_type = 0x80000001u;
    out->pool_max = 8;
    out->connect_timeout_ms = 5000;
    out->request_timeout_ms = 30000;
    if (n > CONF_MAX_SIZE)
        return fail(err, errlen, "larger than %u bytes", CONF_MAX_SIZE);
    char *copy = malloc(n + 1);
    if (!copy)
        return fail(err, errlen, "out of memory");
    memcpy(copy, text, n);
    copy[n] = '\0';
    if (memchr(copy, '\0', n)) {
        free(copy);
        return fail(err, errlen, "contains a NUL byte");
    }
    int ok = 1, lineno = 0;
    char *save = NULL;
    for (char *raw = copy; ok && raw; raw = save) {
        save = strchr(raw, '\n');
        if (save)
            *save++ = '\0';
        lineno++;
        char *line = trim(raw);
        if (!*line || *line == '#')
            continue;
        if (*line == '[') {
            ok = begin_token(out, line, lineno, err, errlen);
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq) {
            ok = fail(err, errlen, "line %d: expected `key = value`", lineno);
            continue;
        }
        *eq = '\0';
        char *k = trim(line), *v = trim(eq + 1);
        if (!*v) {
            ok = fail(err, errlen, "line %d: `%s` has an empty value", lineno, k);
            continue;
        }
        int r = out->ntokens ? token_key(&out->tokens[out->ntokens - 1], k, v)
                             : global_key(out, k, v);
        if (r < 0)
            ok = fail(err, errlen, "line %d: unknown key `%s`%s", lineno, k,
                      out->ntokens ? " in a token section" : "");
        else if (r == 0)
            ok = fail(err, errlen, "line %d: invalid value for `%s`", lineno, k);
    }
    free(copy);
    if (ok)
        ok = check_complete(out, err, errlen);
    if (!ok)
        conf_free(out);
    return ok;
}

int conf_load(const char *path, struct tresor_conf *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)CONF_MAX_SIZE) {
        fclose(f);
        return fail(err, errlen, "%s is not a regular file of at most %u bytes", path,
                    CONF_MAX_SIZE);
    }
    char *text = malloc((size_t)st.st_size + 1);
    size_t n = text ? fread(text, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!text)
        return fail(err, errlen, "out of memory");
    char inner[200];
    int ok = conf_parse(text, n, out, inner, sizeof(inner));
    free(text);
    if (!ok)
        return fail(err, errlen, "%s: %s", path, inner);
    return 1;
}

void conf_free(struct tresor_conf *c)
{
    free(c->ca);
    free(c->cert);
    free(c->key);
    free(c->tsm_root);
    free(c->attestation_command);
    for (size_t i = 0; i < c->ntokens; i++) {
        free(c->tokens[i].cert);
        free(c->tokens[i].key);
    }
    memset(c, 0, sizeof(*c));
}
