#include "test.h"
#include "tresor.h"

#include <string.h>

static int parse(const char *text, struct tresor_conf *c, char *err)
{
    return conf_parse(text, strlen(text), c, err, 200);
}

TEST(config_with_global_and_token_keys_parses)
{
    struct tresor_conf c;
    char err[200] = "";
    const char *text = "# comment\n"
                       "server = kms.example:7000\n"
                       "ca = /ca.pem\r\n"
                       "cert = /c.pem\n"
                       "key = /c.key\n"
                       "attestation = command\n"
                       "attestation_command = /bin/evidence\n"
                       "attestation_type = 0x80000002\n"
                       "dual_use = reject\n"
                       "\n"
                       "[token dev]\n"
                       "project = 7f9c\n"
                       "[token other]\n"
                       "project = 1a2b\n"
                       "cert = /o.pem\n"
                       "key = /o.key\n";
    CHECK(parse(text, &c, err));
    CHECK(!strcmp(c.host, "kms.example") && !strcmp(c.port, "7000"));
    CHECK(!strcmp(c.ca, "/ca.pem"));
    CHECK(c.attestation == ATTEST_COMMAND && c.attestation_type == 0x80000002u);
    CHECK(c.dual_use_reject == 1);
    CHECK(c.ntokens == 2 && !strcmp(c.tokens[0].label, "dev") &&
          !strcmp(c.tokens[0].project, "7f9c") && c.tokens[0].cert == NULL);
    CHECK(!strcmp(c.tokens[1].cert, "/o.pem"));
    CHECK(c.connect_timeout_ms == 5000 && c.request_timeout_ms == 30000);
    conf_free(&c);
}

TEST(config_default_port_is_5696_and_ipv6_brackets_are_removed)
{
    struct tresor_conf c;
    char err[200];
    CHECK(parse("server = [::1]\nca = a\ncert = b\nkey = c\n[token t]\nproject = p\n", &c, err));
    CHECK(!strcmp(c.host, "::1") && !strcmp(c.port, "5696"));
    conf_free(&c);
}

static void check_error(const char *text, const char *expected)
{
    struct tresor_conf c;
    char err[200] = "";
    CHECK(!parse(text, &c, err));
    if (!strstr(err, expected)) {
        fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, expected);
        test_failures++;
    }
}

TEST(config_errors_name_the_problem)
{
    const char *base = "server = h:1\nca = a\ncert = b\nkey = c\n";
    char text[300];
    check_error("ca = a\ncert = b\nkey = c\n[token t]\nproject = p\n", "missing `server");
    check_error("server = h\ncert = b\nkey = c\n[token t]\nproject = p\n", "missing `ca");
    check_error(base, "no `[token LABEL]`");
    snprintf(text, sizeof(text), "%s[token t]\n", base);
    check_error(text, "token `t` has no `project`");
    snprintf(text, sizeof(text), "%scolour = blue\n[token t]\nproject = p\n", base);
    check_error(text, "line 5: unknown key `colour`");
    snprintf(text, sizeof(text), "%s[token t]\nproject = p\nserver = x\n", base);
    check_error(text, "unknown key `server` in a token section");
    check_error("server = h:99999\n", "line 1: invalid value for `server`");
    check_error("server\n", "line 1: expected `key = value`");
    check_error("server = \n", "line 1: `server` has an empty value");
    check_error("[tokens t]\n", "expected a section header");
    snprintf(text, sizeof(text), "%s[token t]\nproject = p\n[token t]\nproject = q\n", base);
    check_error(text, "token `t` is defined twice");
    check_error("[token 123456789012345678901234567890123]\n", "1 to 32 bytes");
    check_error("ca = a\nattestation = sometimes\n", "invalid value for `attestation`");
    check_error("server = h\nca = a\ncert = b\nkey = c\nattestation = command\n[token t]\n"
                "project = p\n", "needs `attestation_command`");
    check_error("server = h\nca = a\n[token t]\nproject = p\n", "no client `cert` and `key`");
}

TEST(config_load_reports_the_path_of_a_missing_file)
{
    struct tresor_conf c;
    char err[300] = "";
    CHECK(!conf_load("/nonexistent/tresor.conf", &c, err, sizeof(err)));
    CHECK(strstr(err, "/nonexistent/tresor.conf") != NULL);
    CHECK(!conf_load("/", &c, err, sizeof(err)));
    CHECK(strstr(err, "not a regular file") != NULL);
}

TEST(config_rejects_embedded_nul_bytes)
{
    struct tresor_conf c;
    char err[200];
    const char text[] = "server = h\0x\n";
    CHECK(!conf_parse(text, sizeof(text) - 1, &c, err, sizeof(err)));
}
