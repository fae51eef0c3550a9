/* tocsin.conf: a small INI file read with inih. Only the few settings needed
 * before the database opens live here; everything else is in the database. */
#include "core.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* inih reads into a fixed buffer of INI_MAX_LINE bytes and would split a longer
 * line silently, so the reader refuses such lines itself. */
#define CONFIG_MAX_LINE (INI_MAX_LINE - 2)

struct config_src {
    const char *p;
    size_t len, pos;
    int line;         /* lines handed to inih so far */
    const char *name; /* for messages */
    struct err *e;
    struct config *c;
    unsigned seen; /* bit per key already given */
    int failed;    /* the line of the first error found here, 0 while none */
};

typedef int (*config_setter)(struct config *c, const char *v, struct config_src *s);

static int fail(struct config_src *s, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Records the first error with file and line; returns 0 for inih's handler. */
static int fail(struct config_src *s, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!s->failed) {
        err_set(s->e, ERR_INPUT, "%.100s:%d: %s", s->name, s->line, msg);
        s->failed = s->line;
    }
    return 0;
}

static int set_listen(struct config *c, const char *v, struct config_src *s)
{
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v)
        return fail(s, "listen '%.80s' is not HOST:PORT", v);
    size_t hl = (size_t)(colon - v);
    const char *host = v;
    if (v[0] == '[') {
        if (hl < 3 || v[hl - 1] != ']')
            return fail(s, "listen '%.80s' is not HOST:PORT", v);
        host = v + 1;
        hl -= 2;
    }
    if (hl >= sizeof(c->listen_host))
        return fail(s, "listen host in '%.80s' is too long", v);
    for (size_t i = 0; i < hl; i++) {
        char ch = host[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              ch == '.' || ch == '-' || ch == ':'))
            return fail(s, "listen host in '%.80s' has a character not allowed in a host", v);
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
        return fail(s, "listen port in '%.80s' is not a number from 0 to 65535", v);
    memcpy(c->listen_host, host, hl);
    c->listen_host[hl] = '\0';
    c->listen_port = (int)port;
    return 1;
}

static int set_path(char *out, size_t n, const char *what, const char *v, struct config_src *s)
{
    size_t len = strlen(v);
    if (len == 0 || len >= n)
        return fail(s, "%s must be a path of 1 to %zu bytes", what, n - 1);
    if (!text_is_clean(v, len))
        return fail(s, "%s is not clean one-line UTF-8 text", what);
    /* ';' and '#' would start a comment when the file is written back. */
    if (strpbrk(v, ";#"))
        return fail(s, "%s may not contain ';' or '#'", what);
    memcpy(out, v, len + 1);
    return 1;
}

static int set_tls_cert(struct config *c, const char *v, struct config_src *s)
{
    return set_path(c->tls_cert, sizeof(c->tls_cert), "tls_cert", v, s);
}

static int set_tls_key(struct config *c, const char *v, struct config_src *s)
{
    return set_path(c->tls_key, sizeof(c->tls_key), "tls_key", v, s);
}

static int set_timezone(struct config *c, const char *v, struct config_src *s)
{
    struct err e = {0};
    if (time_zone_check(v, &e) != 0)
        return fail(s, "%.380s", e.msg);
    snprintf(c->timezone, sizeof(c->timezone), "%s", v);
    return 1;
}

static int set_org_name(struct config *c, const char *v, struct config_src *s)
{
    size_t n = strlen(v);
    if (n == 0 || n > CONFIG_ORG_NAME_MAX)
        return fail(s, "organisation name must have 1 to %d bytes", CONFIG_ORG_NAME_MAX);
    /* ';' and '#' would start a comment when the file is written back. */
    if (strpbrk(v, ";#"))
        return fail(s, "organisation name may not contain ';' or '#'");
    if (!text_is_clean(v, n))
        return fail(s, "organisation name is not clean one-line UTF-8 text");
    memcpy(c->org_name, v, n + 1);
    return 1;
}

static int set_abs_path(char *out, size_t n, const char *what, const char *v, struct config_src *s)
{
    if (v[0] != '/')
        return fail(s, "%s '%.80s' is not an absolute path", what, v);
    return set_path(out, n, what, v, s);
}

static int set_abs_list(char *out, size_t n, const char *what, const char *v, struct config_src *s)
{
    if (set_path(out, n, what, v, s) != 1)
        return 0;
    /* Every item an absolute path. */
    char copy[1024], *save = NULL;
    snprintf(copy, sizeof(copy), "%s", v);
    for (char *p = strtok_r(copy, ", ", &save); p; p = strtok_r(NULL, ", ", &save))
        if (p[0] != '/') {
            out[0] = 0;
            return fail(s, "%s: '%.80s' is not an absolute path", what, p);
        }
    return 1;
}

/* PATH or PATH@ASSET, comma-separated, each PATH absolute: what tocsin serve
 * watches, with the asset its events name. */
static int set_asset_paths(char *out, size_t n, const char *what, const char *v,
                           struct config_src *s)
{
    if (set_path(out, n, what, v, s) != 1)
        return 0;
    char copy[2048], *save = NULL;
    snprintf(copy, sizeof(copy), "%s", v);
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        p += strspn(p, " ");
        char *at = strchr(p, '@');
        if (p[0] != '/' || (at && (at[1] == '\0' || strchr(at + 1, '@')))) {
            out[0] = 0;
            return fail(s, "%s: '%.80s' is not /absolute/path or /absolute/path@asset", what, p);
        }
    }
    return 1;
}

static int set_guard_dirs(struct config *c, const char *v, struct config_src *s)
{
    return set_asset_paths(c->guard_dirs, sizeof(c->guard_dirs), "protect", v, s);
}

static int set_guard_allow(struct config *c, const char *v, struct config_src *s)
{
    return set_abs_list(c->guard_allow, sizeof(c->guard_allow), "allow", v, s);
}

static int set_guard_rules(struct config *c, const char *v, struct config_src *s)
{
    return set_abs_path(c->guard_rules, sizeof(c->guard_rules), "rules", v, s);
}

static int set_guard_mode(struct config *c, const char *v, struct config_src *s)
{
    if (strcmp(v, "restore") != 0 && strcmp(v, "alert-only") != 0 && strcmp(v, "lock") != 0)
        return fail(s, "mode '%.40s' is not restore, alert-only or lock", v);
    snprintf(c->guard_mode, sizeof(c->guard_mode), "%s", v);
    return 1;
}

static int set_lw_logs(struct config *c, const char *v, struct config_src *s)
{
    return set_asset_paths(c->lw_logs, sizeof(c->lw_logs), "logs", v, s);
}

static int set_lw_format(struct config *c, const char *v, struct config_src *s)
{
    if (strpbrk(v, ";#") || !text_is_clean(v, strlen(v)))
        return fail(s, "format may not contain ';', '#' or control characters");
    if (strlen(v) >= sizeof(c->lw_format))
        return fail(s, "format is longer than %zu bytes", sizeof(c->lw_format) - 1);
    snprintf(c->lw_format, sizeof(c->lw_format), "%s", v);
    return 1;
}

static int set_lw_login(struct config *c, const char *v, struct config_src *s)
{
    return set_abs_list(c->lw_login, sizeof(c->lw_login), "login", v, s);
}

static int set_lw_rules(struct config *c, const char *v, struct config_src *s)
{
    return set_abs_path(c->lw_rules, sizeof(c->lw_rules), "rules", v, s);
}

static int set_lw_crs(struct config *c, const char *v, struct config_src *s)
{
    if (strcmp(v, "none") == 0) {
        snprintf(c->lw_crs, sizeof(c->lw_crs), "none");
        return 0;
    }
    return set_abs_path(c->lw_crs, sizeof(c->lw_crs), "crs", v, s);
}

static const struct {
    const char *section, *key;
    config_setter set;
} config_keys[] = {
    {"logwatch", "logs", set_lw_logs},          {"logwatch", "format", set_lw_format},
    {"logwatch", "login", set_lw_login},        {"logwatch", "rules", set_lw_rules},
    {"server", "listen", set_listen},           {"server", "tls_cert", set_tls_cert},
    {"server", "tls_key", set_tls_key},         {"organisation", "name", set_org_name},
    {"organisation", "timezone", set_timezone}, {"guard", "protect", set_guard_dirs},
    {"guard", "mode", set_guard_mode},          {"guard", "allow", set_guard_allow},
    {"guard", "rules", set_guard_rules},        {"logwatch", "crs", set_lw_crs},
};
#define CONFIG_NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct config_src *s = user;
    if (s->failed)
        return 0;
    int known_section = 0;
    for (size_t i = 0; i < CONFIG_NKEYS; i++) {
        if (strcmp(config_keys[i].section, section) != 0)
            continue;
        known_section = 1;
        if (strcmp(config_keys[i].key, name) != 0)
            continue;
        if (s->seen & (1u << i))
            return fail(s, "key '%s' in [%s] is given twice", name, section);
        s->seen |= 1u << i;
        return config_keys[i].set(s->c, value, s);
    }
    if (section[0] == '\0')
        return fail(s, "key '%.60s' stands outside any [section]", name);
    if (!known_section)
        return fail(s, "unknown section [%.60s]", section);
    return fail(s, "unknown key '%.60s' in [%.60s]", name, section);
}

static char *reader(char *str, int num, void *stream)
{
    struct config_src *s = stream;
    if (s->failed || s->pos >= s->len)
        return NULL;
    const char *start = s->p + s->pos;
    size_t rest = s->len - s->pos;
    const char *nl = memchr(start, '\n', rest);
    size_t n = nl ? (size_t)(nl - start) + 1 : rest;
    s->line++;
    if (memchr(start, '\0', n)) {
        fail(s, "line contains a NUL byte");
        return NULL;
    }
    if (n > CONFIG_MAX_LINE || n >= (size_t)num) {
        fail(s, "line is longer than %d characters", CONFIG_MAX_LINE);
        return NULL;
    }
    memcpy(str, start, n);
    str[n] = '\0';
    s->pos += n;
    return str;
}

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
    c->listen_port = 8080;
    snprintf(c->timezone, sizeof(c->timezone), "Asia/Shanghai");
    snprintf(c->org_name, sizeof(c->org_name), "tocsin");
}

int config_parse(struct config *c, const char *name, const char *p, size_t len, struct err *e)
{
    struct config tmp = *c;
    struct config_src s = {.p = p, .len = len, .name = name, .e = e, .c = &tmp};
    if (len > CONFIG_MAX_BYTES)
        return err_set(e, ERR_INPUT, "%s is larger than %d bytes", name, CONFIG_MAX_BYTES);
    int rc = ini_parse_stream(reader, &s, on_entry, &s);
    /* inih reports its own syntax errors by line; the earliest error wins. */
    if (rc > 0 && (!s.failed || rc < s.failed))
        return err_reset(e, ERR_INPUT, "%s:%d: syntax error (expected [section] or key = value)",
                         name, rc);
    if (s.failed)
        return ERR_INPUT;
    if (rc < 0)
        return err_set(e, ERR_NOMEM, "%s: out of memory while parsing", name);
    if (!tmp.tls_cert[0] != !tmp.tls_key[0])
        return err_set(e, ERR_INPUT, "%s: tls_cert and tls_key go together", name);
    *c = tmp;
    return 0;
}

int config_load(struct config *c, const char *path, struct err *e)
{
    struct buf b;
    int rc = fs_read_file(path, CONFIG_MAX_BYTES, &b, e);
    if (rc)
        return rc;
    rc = config_parse(c, path, b.p, b.len, e);
    buf_release(&b);
    return rc;
}

int config_format(const struct config *c, struct buf *out)
{
    const char *lb = strchr(c->listen_host, ':') ? "[" : "";
    const char *rb = *lb ? "]" : "";
    int rc = buf_addf(
        out,
        "; tocsin configuration. Everything else is kept in the database.\n"
        "\n"
        "[server]\n"
        "; address and port of the web interface and API\n"
        "listen = %s%s%s:%d\n"
        "%s%s%s%s%s"
        "\n"
        "[organisation]\n"
        "name = %s\n"
        "; times are stored in UTC and shown in this zone\n"
        "timezone = %s\n",
        lb, c->listen_host, rb, c->listen_port,
        c->tls_cert[0] ? "; HTTPS with this certificate chain and key (PEM)\ntls_cert = " : "",
        c->tls_cert, c->tls_cert[0] ? "\ntls_key = " : "", c->tls_key, c->tls_cert[0] ? "\n" : "",
        c->org_name, c->timezone);
    /* [guard] and [logwatch] only when something of them is set, each key
     * only when set. */
    const struct {
        const char *section, *key, *value, *comment;
    } opt[] = {
        {"guard", "protect", c->guard_dirs, "web roots tocsin serve protects: PATH@ASSET, …"},
        {"guard", "mode", c->guard_mode, "restore, alert-only or lock"},
        {"guard", "allow", c->guard_allow, "lock mode: programs that may write"},
        {"guard", "rules", c->guard_rules, "the organisation's own webshell rules (*.yar)"},
        {"logwatch", "logs", c->lw_logs, "access logs tocsin serve follows: PATH@ASSET, …"},
        {"logwatch", "format", c->lw_format, "auto, combined, common, json or a log_format"},
        {"logwatch", "login", c->lw_login, "sign-in paths for the brute-force detector"},
        {"logwatch", "rules", c->lw_rules, "the organisation's own rules (*.rules)"},
        {"logwatch", "crs", c->lw_crs, "the Core Rule Set's rules directory, or none"},
    };
    const char *section = "";
    for (size_t i = 0; !rc && i < sizeof(opt) / sizeof(opt[0]); i++) {
        if (!opt[i].value[0])
            continue;
        if (strcmp(section, opt[i].section) != 0)
            rc = buf_addf(out, "\n[%s]\n", section = opt[i].section);
        if (!rc)
            rc = buf_addf(out, "; %s\n%s = %s\n", opt[i].comment, opt[i].key, opt[i].value);
    }
    return rc;
}
